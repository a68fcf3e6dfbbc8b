"""The URLconf of the DRF tests: ``/api/auth/`` and the views of tests/drf_views.py.

Use it with ``@override_settings(ROOT_URLCONF="tests.urls_drf")``.
"""

from __future__ import annotations

from django.urls import include
from django.urls import path
from rest_framework.routers import SimpleRouter

from tests import drf_views

router = SimpleRouter()
router.register("notes", drf_views.NoteViewSet, basename="note")

urlpatterns = [
    path("api/auth/", include("django_useauth.urls")),
    # UseAuthAuthentication.
    path("drf/me/", drf_views.MeView.as_view(), name="drf_me"),
    path("drf/username/", drf_views.UsernameView.as_view(), name="drf_username"),
    path(
        "drf/is-authenticated/",
        drf_views.IsAuthenticatedView.as_view(),
        name="drf_is_authenticated",
    ),
    path("drf/optional/", drf_views.OptionalView.as_view(), name="drf_optional"),
    path("drf/with-basic/", drf_views.WithBasicView.as_view(), name="drf_with_basic"),
    path(
        "drf/session-auth-signed-in/",
        drf_views.SessionAuthSignedInView.as_view(),
        name="drf_session_auth_signed_in",
    ),
    path("drf/editor/", drf_views.EditorView.as_view(), name="drf_editor"),
    path("drf/team/", drf_views.TeamView.as_view(), name="drf_team"),
    path("drf/sign-out/", drf_views.SignOutView.as_view(), name="drf_sign_out"),
    # DRF's default authentication.
    path("drf/default/", drf_views.DefaultAuthView.as_view(), name="drf_default"),
    path(
        "drf/required-session/",
        drf_views.RequiredSessionView.as_view(),
        name="drf_required_session",
    ),
    # Function views.
    path("drf/fn/me/", drf_views.me_function, name="drf_fn_me"),
    path(
        "drf/fn/api-then-required/",
        drf_views.api_then_required,
        name="drf_api_then_required",
    ),
    path(
        "drf/fn/api-then-required-callback/",
        drf_views.api_then_required_callback,
        name="drf_api_then_required_callback",
    ),
    path(
        "drf/fn/api-then-required-useauth/",
        drf_views.api_then_required_useauth,
        name="drf_api_then_required_useauth",
    ),
    path("drf/fn/api-then-guest/", drf_views.api_then_guest, name="drf_api_then_guest"),
    path(
        "drf/fn/required-then-api/",
        drf_views.required_then_api,
        name="drf_required_then_api",
    ),
    # AuthRequiredMixin on APIView.
    path("drf/mixin/", drf_views.MixinView.as_view(), name="drf_mixin"),
    path(
        "drf/mixin-useauth/",
        drf_views.MixinUseAuthView.as_view(),
        name="drf_mixin_useauth",
    ),
    # Templates rendered by DRF.
    path(
        "drf/template/default/",
        drf_views.TemplateDefaultView.as_view(),
        name="drf_template_default",
    ),
    path(
        "drf/template/useauth/",
        drf_views.TemplateUseAuthView.as_view(),
        name="drf_template_useauth",
    ),
    path(
        "drf/template/function/",
        drf_views.template_function,
        name="drf_template_function",
    ),
    # A viewset: /drf/notes/ and /drf/notes/<pk>/.
    path("drf/", include(router.urls)),
]
