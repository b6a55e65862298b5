"""API of accounts: who am I, and API tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from .api_base import ApiInput, BaseApi
from .models import User
from .services import api_token_issue


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    department = serializers.CharField()


class MeApi(BaseApi):
    @extend_schema(responses=MeOutput, summary="The authenticated user and their department")
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # BaseApi admits authenticated users only
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "department": request._request.tenant.name,  # type: ignore[attr-defined]
        }
        return Response(MeOutput(data).data)


class ApiTokenCreateInput(ApiInput):
    name = serializers.CharField(max_length=100)


class ApiTokenCreateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    token = serializers.CharField(help_text="Shown once; store it now.")


class ApiTokenCreateApi(BaseApi):
    @extend_schema(request=ApiTokenCreateInput, responses={201: ApiTokenCreateOutput}, summary="Create an API token")
    def post(self, request: Request) -> Response:
        data = ApiTokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        # An AccountError is a Refused: exception_handler answers 403 permission_denied with its sentence.
        issued = api_token_issue(user=request.user, name=data.validated_data["name"])  # type: ignore[arg-type]
        out = {"id": issued.token.pk, "name": issued.token.name, "token": issued.raw}
        return Response(ApiTokenCreateOutput(out).data, status=status.HTTP_201_CREATED)
