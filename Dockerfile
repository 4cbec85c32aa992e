FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY cypher ./cypher
COPY templates ./templates
COPY seed ./seed
RUN pip install --no-cache-dir '.[server]' && useradd --create-home registry
USER registry
ENV REGISTRY_STORE=neo4j
EXPOSE 8000
# The schema is applied idempotently at every start, then gunicorn serves create_app().
CMD ["sh", "-c", "registry init && exec gunicorn --bind 0.0.0.0:8000 --workers 2 --threads 4 'registry:create_app()'"]
