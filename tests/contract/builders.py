"""Small, valid domain objects for the contract tests, and a one-line write helper."""

from registry.domain.model import (Category, ChangeEntry, Collection, Engagement, Objection,
                                   Organisation, Purpose, SubjectGroup, Subscription)

ACTOR = "dpo@example.test"


def org(key, **kw):
    kw.setdefault("name", key.replace("-", " ").title())
    return Organisation(key=key, **kw).validate()


def group(key, **kw):
    kw.setdefault("name", key.title())
    return SubjectGroup(key=key, **kw).validate()


def category(key, **kw):
    kw.setdefault("name", key.rsplit(".", 1)[-1].title())
    return Category(key=key, **kw).validate()


def purpose(key, **kw):
    kw.setdefault("name", key.title())
    return Purpose(key=key, **kw).validate()


def collection(key, organisation, subject_group, categories, **kw):
    return Collection(key=key, organisation=organisation, subject_group=subject_group,
                      categories=list(categories), **kw).validate()


def engagement(key, exporter, importer, categories, **kw):
    return Engagement(key=key, exporter=exporter, importer=importer, categories=list(categories),
                      **kw).validate()


def change(key, publisher, **kw):
    kw.setdefault("date", "2025-01-15")
    return ChangeEntry(key=key, publisher=publisher, **kw).validate()


def subscription(key, publisher, **kw):
    kw.setdefault("email", f"{key}@example.test")
    return Subscription(key=key, publisher=publisher, **kw).validate()


def objection(key, engagement_key, **kw):
    kw.setdefault("name", "A Customer")
    kw.setdefault("contact", "customer@example.test")
    kw.setdefault("reason", "we do not agree")
    return Objection(key=key, engagement=engagement_key, **kw).validate()


def create(store, *objs, actor=ACTOR):
    """Create ``objs`` in one unit of work; returns the written objects."""
    with store.unit_of_work(actor) as uow:
        for obj in objs:
            uow.add(obj)
        return uow.commit()


def update(store, obj, expected_version, actor=ACTOR):
    with store.unit_of_work(actor) as uow:
        uow.update(obj, expected_version)
        return uow.commit()


def delete(store, kind, key, expected_version=None, actor=ACTOR):
    with store.unit_of_work(actor) as uow:
        uow.delete(kind, key, expected_version)
        return uow.commit()


def base_graph():
    """Objects every kind can refer to: two organisations, a group, categories, a purpose."""
    return [category("account"), category("account.contact"), category("account.contact.email"),
            group("customers", residence=["DE", "FR"]), purpose("billing", legal_basis="contract"),
            org("acme", country="DE", publisher=True), org("cloudco", country="US")]
