# Ura's image: slim, non-root, the locked dependency set, catalogs compiled at build.
#   docker compose up        (see docker-compose.yml and the README's "Deployment")
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The locked run-time set only (exact versions and hashes), in its own layer.
COPY requirements/run.lock requirements/run.lock
RUN pip install --require-hashes -r requirements/run.lock

COPY pyproject.toml README.md alembic.ini babel.cfg ./
COPY bot bot
COPY fake_telegram fake_telegram
COPY migrations migrations
COPY lessons lessons
COPY locale locale
COPY referrals referrals
RUN pip install --no-deps --no-build-isolation . \
    && for po in locale/*/LC_MESSAGES/ura.po; do \
         pybabel -q compile --use-fuzzy -D ura -i "$po" -o "${po%.po}.mo"; \
       done

RUN useradd --create-home --uid 10001 ura && mkdir -p /app/data && chown ura /app/data
USER ura
ENV URA_DATA_DIR=/app/data URA_LESSONS_DIR=/app/lessons URA_REFERRALS_DIR=/app/referrals \
    URA_WEBHOOK_HOST=0.0.0.0
EXPOSE 8080
CMD ["ura", "run", "--no-migrate"]
