FROM python:3.11-slim
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gclap_sandbox ./gclap_sandbox
COPY web ./web
RUN pip install --no-cache-dir . && rm -rf /src
WORKDIR /data
VOLUME /data
EXPOSE 8000 1025
# The sandbox checks its own readiness (HTTP, SMTP and the database).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["gclap-sandbox", "serve", "--http", "0.0.0.0:8000", "--smtp", "0.0.0.0:1025", "--db", "/data/sandbox.sqlite3"]
