"""gunicorn settings for Concerto behind nginx (see deploy/nginx-concerto.conf and SECURITY.md).

    CONCERTO_ENV=production SECRET_KEY=... DATABASE_URL=... PROXY_FIX=1 \
        gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'
"""

import multiprocessing
import os

# Only nginx talks to gunicorn: listen on the loopback (or a Unix socket), never publicly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = 1
# PDF and spreadsheet exports can take a while; nginx's proxy_read_timeout matches.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory held by large exports).
max_requests = 2000
max_requests_jitter = 200
# Request line and header limits, below nginx's so oversized requests fail early.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* only from the local proxy; the app's ProxyFix (PROXY_FIX=1) reads them.
forwarded_allow_ips = "127.0.0.1"
proxy_allow_ips = "127.0.0.1"
# gunicorn sends "Server: gunicorn" (no version); nginx hides it (proxy_hide_header Server).

# Logs: to stderr (journald), with nginx's request id; the app's filter (app/logs.py) masks
# passwords and tokens and adds the request id to the application's own lines.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}i)s'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "app.logs.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
