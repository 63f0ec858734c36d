"""API tokens: exchange a username and password for a token (under the login form's lock), revoke it."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import throttle
from .api import ApiLanguageMixin, ErrorSerializer
from .services import api_token_create, api_token_revoke


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(max_length=100, required=False, default="API")


class TokenCreatedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown this once; only its hash is stored. Send `Authorization: Token …`.")
    name = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class ApiTokenCreateView(ApiLanguageMixin, APIView):
    """Exchange a username and password for an API token, under the same lock as the login form (failed
    attempts per account and per address)."""

    # Only so that a refusal answers 401 with `WWW-Authenticate: Token`; the credentials are in the body.
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenCredentialsSerializer,
        responses={201: TokenCreatedSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
        tags=["auth"],
    )
    def post(self, request):
        data = TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username, password = data.validated_data["username"], data.validated_data["password"]
        address = throttle.client_address(request)
        if throttle.login_blocked(username, address):
            raise exceptions.Throttled(detail=_("Too many failed attempts. Please wait 15 minutes and try again."))
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            throttle.login_failed(username, address)
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        throttle.login_succeeded(username, address)
        token, secret = api_token_create(actor=user, user=user, name=data.validated_data["name"])
        body = {"token": secret, "name": token.name, "expiry": token.expiry}
        return Response(TokenCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ApiTokenCurrentView(ApiLanguageMixin, APIView):
    """Revoke the token this request is authenticated with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer}, tags=["auth"])
    def delete(self, request):
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
