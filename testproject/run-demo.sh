#!/bin/sh
# `make run`: serve the demo site on 127.0.0.1:$PORT and, next to it, the demo
# OpenID Connect identity provider (testproject/idp) on 127.0.0.1:$IDP_PORT.
#
# Usage, from the repository root: sh testproject/run-demo.sh [PYTHON]
# PYTHON is the virtualenv's interpreter (default .venv/bin/python). PORT is
# the demo site's port (default 8000), IDP_PORT the IdP's (default PORT+1).
# IDP_PORT is exported so that the demo site's settings point its "Demo IdP"
# provider at the same port. The IdP runs in the background and is stopped
# when the demo site stops (Ctrl-C). If the demo IdP provider is switched off,
# or AUTH_DEMO_IDP_ISSUER points elsewhere, the local IdP is not started.

set -eu

PYTHON=${1:-.venv/bin/python}
PORT=${PORT:-8000}
IDP_PORT=${IDP_PORT:-$((PORT + 1))}
export IDP_PORT

idp_pid=
stop_idp() {
    if [ -n "$idp_pid" ]; then
        kill "$idp_pid" 2>/dev/null || true
        wait "$idp_pid" 2>/dev/null || true
        idp_pid=
    fi
}
trap stop_idp EXIT
# Exiting from these traps runs the EXIT trap above.
trap 'exit 130' INT
trap 'exit 143' TERM

"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py seed_demo

# The issuer the demo site will use for its demo-idp provider, or nothing when
# the provider is off; read from its settings so that .env counts too.
issuer=$("$PYTHON" -c '
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
from django.conf import settings
on = "testproject.demo.oidc.DemoIdP" in settings.AUTHENTICATION_BACKENDS
print(settings.SOCIAL_AUTH_DEMO_IDP_OIDC_ENDPOINT if on else "")
' 2>/dev/null) || issuer=
local_issuer="http://127.0.0.1:$IDP_PORT/o"

if [ "$issuer" = "$local_issuer" ]; then
    # A server already on the port (say, the IdP of an earlier run) would
    # answer the readiness check below while ours fails to start.
    if ! "$PYTHON" -c '
import socket, sys
with socket.socket() as s:
    s.bind(("127.0.0.1", int(sys.argv[1])))
' "$IDP_PORT" 2>/dev/null; then
        echo "Port $IDP_PORT (for the demo IdP) is in use; set IDP_PORT to a free one." >&2
        exit 1
    fi
    "$PYTHON" manage.py migrate --noinput --settings=testproject.idp.settings
    # With USEAUTH_URL (a front end such as examples/nuxt in front of the
    # demo), the callback is on that origin: register it too.
    front=$("$PYTHON" -c '
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
from django.conf import settings
print(getattr(settings, "USEAUTH_URL", None) or "")
' 2>/dev/null) || front=
    set -- --redirect-uri "http://127.0.0.1:$PORT/api/auth/callback/demo-idp" \
        --redirect-uri "http://localhost:$PORT/api/auth/callback/demo-idp"
    if [ -n "$front" ]; then
        set -- "$@" --redirect-uri "${front%/}/api/auth/callback/demo-idp"
    fi
    "$PYTHON" manage.py seed_idp --settings=testproject.idp.settings "$@"
    # --noreload: one process, so that stopping it by its PID stops the server.
    "$PYTHON" manage.py runserver "127.0.0.1:$IDP_PORT" --noreload \
        --settings=testproject.idp.settings &
    idp_pid=$!
    if ! "$PYTHON" - "$local_issuer/.well-known/openid-configuration" "$idp_pid" <<'EOF'
import os
import sys
import time
import urllib.request

url, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                sys.exit(0)
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"The demo IdP exited before {url} answered.")
    time.sleep(0.2)
sys.exit(f"The demo IdP did not answer at {url} within 30 seconds.")
EOF
    then
        exit 1
    fi
    echo "Demo IdP ready at $local_issuer (user: idp-demo, password: useauth-idp)"
elif [ -n "$issuer" ]; then
    echo "The demo-idp provider uses $issuer; not starting the local IdP."
else
    echo "The demo-idp provider is off (AUTH_DEMO_IDP_ID or _SECRET empty); not starting the local IdP."
fi

echo "Serving the demo at http://127.0.0.1:$PORT/ (user: demo, password: useauth-demo)"
mail=$("$PYTHON" -c '
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
from django.conf import settings
mailer = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND")
print((mailer or settings.EMAIL_BACKEND) if settings.USEAUTH_EMAIL_ENABLED else "")
' 2>/dev/null) || mail=
if [ "$mail" = "testproject.mail.EmailBackend" ]; then
    echo "E-mail sign-in: the e-mails (with their link and code) are written here, for demo@example.com."
fi
"$PYTHON" manage.py runserver "127.0.0.1:$PORT"
