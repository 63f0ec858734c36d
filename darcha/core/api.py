"""Shared REST API pieces: pagination and one JSON error shape with a stable `code`."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Refused


def api_language(request) -> str:
    """The language an API answer is in: `?lang=`, else the language cookie or Accept-Language, else the
    default (a Django request; also the key of the API's held answers, core.pagecache)."""
    language = request.GET.get("lang") or translation.get_language_from_request(request)
    return language if translation.check_for_language(language) else settings.LANGUAGE_CODE


class ApiLanguageMixin:
    """The API is outside the /<lang>/ URL prefixes: it speaks `?lang=`, else Accept-Language."""

    def initial(self, request, *args, **kwargs):
        language = api_language(request._request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _error_code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.NotFound | Http404):
        return "not_found"
    return getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    """Every API error is `{"code": ..., "detail": ..., "errors": {field: [messages]}}`; a service's
    refusal (`core.errors.Refused`) keeps its code and status (409, or 403 for `Forbidden`)."""
    if isinstance(exc, Refused):
        return Response({"code": str(exc.code), "detail": exc.message}, status=exc.status)
    if isinstance(exc, OperationalError | InterfaceError):  # the database is down or unreachable
        body = {"code": "unavailable", "detail": _("The service is unavailable for a moment. Please try again.")}
        return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"})
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"code": _error_code(exc), "detail": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = _("The request has invalid parameters.")
        data = response.data
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    else:
        data = response.data
        body["detail"] = data.get("detail", "") if isinstance(data, dict) else str(data)
    response.data = body
    return response


def bad_request(code: str, detail: str, errors: dict | None = None) -> Response:
    return Response({"code": code, "detail": detail, "errors": errors or {}}, status=status.HTTP_400_BAD_REQUEST)


class ErrorSerializer(serializers.Serializer):
    """The shared error shape, for the schema."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, forbidden")
    detail = serializers.CharField(help_text="Translated message")
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Field name → list of translated messages (nested objects for nested fields)",
    )
