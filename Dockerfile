FROM python:3.11-slim

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gclap-sandbox" \
      org.opencontainers.image.description="A local stand-in for the Gclap email API: captures mail, simulates delivery, fires real webhooks." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/gclap/gclap-sandbox"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY gclap_sandbox ./gclap_sandbox
COPY web ./web
RUN pip install --no-cache-dir . && rm -rf /src

# A user of its own, numeric so Kubernetes' runAsNonRoot can check it; /data is its to write.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home gclap \
    && mkdir -p /data && chown gclap:gclap /data
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8000 1025

# The defaults are environment variables, not flags, so `docker run -e GCLAP_SANDBOX_DB=...`
# is honoured (a flag would beat it) and arguments after the image name add to them.
ENV GCLAP_SANDBOX_HTTP=0.0.0.0:8000 \
    GCLAP_SANDBOX_SMTP=0.0.0.0:1025 \
    GCLAP_SANDBOX_DB=/data/sandbox.sqlite3 \
    PYTHONUNBUFFERED=1

# Ready means HTTP, SMTP, the database and the workers are up; readyz finds the port in GCLAP_SANDBOX_HTTP.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["gclap-sandbox", "readyz", "--timeout", "4"]

# `docker run IMAGE --seed 5` runs `gclap-sandbox serve --seed 5`: arguments go to serve.
ENTRYPOINT ["gclap-sandbox", "serve"]
CMD []
