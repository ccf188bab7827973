# Wenji web image: gunicorn serving the Django app, static files via WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WENJI_VAR_DIR=/var/lib/wenji

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py ensure_search_index && gunicorn archive.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --preload --access-logfile -"]
