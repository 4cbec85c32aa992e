"""The one vocabulary of safeguard and certification codes, with what each means.

Every code a regime file can ask for is defined here (``registry/transfers/knowledge.py``
refuses a regime naming a code not in ``SAFEGUARDS``), and every code typed into a form,
the API or a CSV file is checked against it, so a code the assessment would ignore cannot
be stored. ``registry/transfers/regimes/README.md`` repeats the table for readers; a test
keeps the two equal.
"""

from __future__ import annotations

import difflib

from .errors import ValidationError

# code -> meaning. Codes go in an engagement's ``safeguards`` (what is in place).
SAFEGUARDS: dict[str, str] = {
    "dpa": "a processing contract meeting GDPR / UK GDPR Art. 28(3) (a data processing agreement), "
           "flowed down to sub-processors under Art. 28(4)",
    "scc:1": "EU SCCs (Decision (EU) 2021/914) Module One, controller to controller",
    "scc:2": "EU SCCs Module Two, controller to processor",
    "scc:3": "EU SCCs Module Three, processor to processor",
    "scc:4": "EU SCCs Module Four, processor to controller",
    "tia": "transfer impact assessment documented (Schrems II; EDPB Recommendations 01/2020; SCC Clause 14)",
    "bcr": "binding corporate rules approved for the group under the regime at hand (EU Art. 47, UK, Swiss or "
           "ANPD global corporate rules)",
    "uk-idta": "UK International Data Transfer Agreement",
    "uk-addendum": "UK Addendum to the EU SCCs (used together with an scc:N code)",
    "tra": "UK transfer risk assessment documented",
    "ch-swiss-adaptations": "Swiss adaptations to the EU SCCs, as required by the FDPIC",
    "dpf": "accepted for compatibility only; DPF scope is read from the importer's certifications dpf-eu, "
           "dpf-uk and dpf-ch, never from this code",
    "art28-authorisation": "the controller's prior specific or general written authorisation of this "
                           "sub-processor (GDPR and UK GDPR Art. 28(2), FADP Art. 9(3)), with advance notice "
                           "under a general authorisation",
    "local-primary-copy": "the primary copy of the data is stored in the localising country; copies abroad are "
                          "made from it",
    "consent": "the data subjects' consent to the transfer in the form the regime requires (written, explicit, "
               "specific or informed)",
    "rkn-notification": "Russia: recipient assessed and Roskomnadzor notified before the first transfer",
    "rkn-wait-10-days": "Russia: 10 working days have passed since the notification without a ban or "
                        "restriction (non-adequate destinations)",
    "uz-scc": "Uzbekistan: standard contractual clauses approved by the authorised body",
    "uz-bcr": "Uzbekistan: binding corporate rules approved by the authorised body",
    "uz-standards": "Uzbekistan: compliance with international standards approved by the authorised body",
    "cac-standard-contract": "China: CAC standard contract signed and filed with the provincial CAC",
    "cac-certification": "China: personal information protection certification of the transfer",
    "cac-security-assessment": "China: CAC security assessment passed",
    "separate-consent": "China: individuals told about the foreign recipient and their separate consent "
                        "obtained (PIPL Art. 39)",
    "pipl-pia": "China: personal information protection impact assessment done before the transfer "
                "(PIPL Art. 55)",
    "kvkk-standard-contract": "Turkey: the Board's standard contract signed",
    "kvkk-notification": "Turkey: the standard contract notified to the Authority within 5 business days",
    "kvkk-undertaking": "Turkey: written undertaking of adequate protection signed by both parties",
    "kvkk-board-permission": "Turkey: the Board's permission for that undertaking",
    "anpd-scc": "Brazil: ANPD standard contractual clauses inserted verbatim",
    "ua-guarantees": "Ukraine: appropriate guarantees provided by the owner of the data (e.g. a transfer "
                     "agreement with protective clauses)",
    "kz-protection-assessed": "Kazakhstan: the exporter has documented that the destination ensures the "
                              "protection of personal data",
    "appi-equivalent-measures": "Japan: the recipient has a system that continuously takes measures "
                                "equivalent to the APPI's, with monitoring by the exporter",
    "pipa-outsourcing-disclosure": "Korea: outsourcing or storage abroad needed for a contract with the "
                                   "individual, disclosed in the privacy policy or told to the individual",
    "pipa-certification": "Korea: the recipient holds a certification designated by the PIPC",
    "cisa-security-requirements": "US 28 CFR Part 202: CISA security requirements for restricted transactions "
                                  "met, with the data compliance programme",
}

# code -> meaning. Certifications an organisation holds; the dpf-* ones are read by adequacy entries.
CERTIFICATIONS: dict[str, str] = {
    "dpf-eu": "EU-US Data Privacy Framework: on the DPF List for EU data",
    "dpf-uk": "UK Extension to the EU-US Data Privacy Framework",
    "dpf-ch": "Swiss-US Data Privacy Framework",
    "iso27001": "ISO/IEC 27001 information security management certification",
    "iso27017": "ISO/IEC 27017 cloud security controls",
    "iso27018": "ISO/IEC 27018 protection of personal data in public clouds",
    "iso27701": "ISO/IEC 27701 privacy information management certification",
    "iso9001": "ISO 9001 quality management certification",
    "soc1": "SOC 1 (SSAE 18 / ISAE 3402) report on controls over financial reporting",
    "soc2": "SOC 2 report on security, availability, confidentiality or privacy controls",
    "soc3": "SOC 3 public report on SOC 2 controls",
    "pci-dss": "PCI DSS compliance for payment card data",
    "csa-star": "Cloud Security Alliance STAR attestation or certification",
    "c5": "BSI Cloud Computing Compliance Criteria Catalogue (C5) attestation (Germany)",
    "hds": "Hébergeur de Données de Santé certification for health data hosting (France)",
    "tisax": "TISAX assessment (automotive information security)",
    "cyber-essentials": "UK Cyber Essentials certification",
    "cyber-essentials-plus": "UK Cyber Essentials Plus certification",
    "fedramp": "US FedRAMP authorisation",
    "hipaa": "attested HIPAA compliance (US health data; no official certification exists)",
    "apec-cbpr": "APEC Cross-Border Privacy Rules certification",
    "apec-prp": "APEC Privacy Recognition for Processors certification",
    "eu-cloud-coc": "EU Cloud Code of Conduct adherence (GDPR Art. 40)",
    "bcr-processor": "approved binding corporate rules for processors (GDPR Art. 47)",
}

_VOCABULARIES = {"safeguards": SAFEGUARDS, "certifications": CERTIFICATIONS}


def meanings(kind: str) -> dict[str, str]:
    """code -> meaning for ``kind`` (``safeguards`` or ``certifications``), for forms and pickers."""
    return dict(_VOCABULARIES[kind])


def meaning(code: str) -> str | None:
    """What ``code`` means (a safeguard or a certification), or None when it is not in the vocabulary."""
    return SAFEGUARDS.get(code) or CERTIFICATIONS.get(code)


def check_code(code, kind: str, field: str | None = None) -> str:
    """``code`` lower-cased and stripped, if it is in the ``kind`` vocabulary.

    Raises ValidationError naming ``field`` (default: ``kind``) with up to three close
    matches, so that ``scc2`` is refused with "did you mean scc:2".
    """
    vocabulary = _VOCABULARIES[kind]
    cleaned = code.strip().lower() if isinstance(code, str) else ""
    if cleaned in vocabulary:
        return cleaned
    what = "safeguard" if kind == "safeguards" else "certification"
    near = difflib.get_close_matches(cleaned, list(vocabulary), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(near)}?" if near else "; see the list of codes in the README"
    raise ValidationError(f"{code!r} is not a known {what} code{hint}", field=field or kind)
