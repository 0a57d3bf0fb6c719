"""The Appwrite error family: one class per Appwrite error `type`.

Services raise these; the HTTP layer renders every one of them in one place as
`{"message", "code", "type", "version"}`. Messages are our own wording, except
where a client may read them (noted in docs/compatibility.md).
"""

from __future__ import annotations

from typing import ClassVar


class AppwriteError(Exception):
    """Base of every error that reaches a client; unexpected errors become this."""

    type: ClassVar[str] = "general_unknown"
    code: ClassVar[int] = 500
    default_message: ClassVar[str] = "Server Error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ArgumentInvalid(AppwriteError):
    type = "general_argument_invalid"
    code = 400
    default_message = "The request contains one or more invalid arguments."


class QueryInvalid(AppwriteError):
    type = "general_query_invalid"
    code = 400
    default_message = "The query is invalid."


class CursorNotFound(AppwriteError):
    type = "general_cursor_not_found"
    code = 400
    default_message = "The cursor does not name an existing document."


class OrderNull(AppwriteError):
    type = "database_query_order_null"
    code = 400
    default_message = "The cursor has a null value in an order attribute."


class RouteNotFound(AppwriteError):
    type = "general_route_not_found"
    code = 404
    default_message = "The requested route was not found."


class BodyTooLarge(AppwriteError):
    type = "general_argument_invalid"
    code = 413
    default_message = "The request body is larger than the server accepts."


class UnauthorizedScope(AppwriteError):
    type = "general_unauthorized_scope"
    code = 401
    default_message = "The caller lacks the scopes this route requires."


class ServerError(AppwriteError):
    type = "general_server_error"
    code = 503
    default_message = "The database is unavailable; try again shortly."


class NotYetImplemented(AppwriteError):
    """A route Appwrite serves that this server answers only with this (501)."""

    type = "general_not_implemented"
    code = 501
    default_message = "This method is not implemented by this server yet."


class ProjectNotFound(AppwriteError):
    type = "project_not_found"
    code = 404
    default_message = "Project with the requested ID could not be found."


class ProjectIdMissing(AppwriteError):
    type = "project_id_missing"
    code = 403
    default_message = "The API key belongs to another project or no project was named."


class ProjectKeyExpired(AppwriteError):
    type = "project_key_expired"
    code = 401
    default_message = "The API key has expired."


class UserNotFound(AppwriteError):
    type = "user_not_found"
    code = 404
    default_message = "User with the requested ID could not be found."


class UserAlreadyExists(AppwriteError):
    type = "user_already_exists"
    code = 409
    default_message = "A user with the same id, email, or phone already exists in this project."


class UserEmailAlreadyExists(AppwriteError):
    type = "user_email_already_exists"
    code = 409
    default_message = "A user with the same email already exists in this project."


class UserPhoneAlreadyExists(AppwriteError):
    type = "user_phone_already_exists"
    code = 409
    default_message = "A user with the same phone number already exists in this project."


class UserTargetAlreadyExists(AppwriteError):
    type = "user_target_already_exists"
    code = 409
    default_message = "A target with the same id or identifier already exists."


class RateLimitExceeded(AppwriteError):
    type = "general_rate_limit_exceeded"
    code = 429
    default_message = "Too many attempts; try again after the limit's period."


class UserBlocked(AppwriteError):
    type = "user_blocked"
    code = 403
    default_message = "The current user has been blocked."


class UserInvalidCredentials(AppwriteError):
    type = "user_invalid_credentials"
    code = 401
    default_message = "Invalid credentials. Please check the email and password."


class UserSessionAlreadyExists(AppwriteError):
    type = "user_session_already_exists"
    code = 401
    default_message = "A session is already active; sign out before signing in again."


class UserSessionNotFound(AppwriteError):
    type = "user_session_not_found"
    code = 404
    default_message = "The session could not be found."


class UserInvalidToken(AppwriteError):
    type = "user_invalid_token"
    code = 401
    default_message = "Invalid token passed in the request."


class UserJwtInvalid(AppwriteError):
    type = "user_jwt_invalid"
    code = 401
    default_message = "The JWT is invalid or has expired."


class UserJwtAndCookieSet(AppwriteError):
    type = "user_jwt_and_cookie_set"
    code = 403
    default_message = "A request may carry a JWT or a session, not both."


class UserJwtCreationDenied(AppwriteError):
    type = "user_jwt_creation_denied"
    code = 403
    default_message = "A JWT cannot be used to create another JWT."


class InvalidEmail(AppwriteError):
    type = "general_invalid_email"
    code = 400
    default_message = "Value must be a valid email address."


class InvalidPhone(AppwriteError):
    type = "general_invalid_phone"
    code = 400
    default_message = "Phone number must start with a '+' and have at most fifteen digits."


class UserTargetNotFound(AppwriteError):
    type = "user_target_not_found"
    code = 404
    default_message = "The target could not be found."


class UserIdentityNotFound(AppwriteError):
    type = "user_identity_not_found"
    code = 404
    default_message = "Identity with the requested ID could not be found."


class ProviderNotFound(AppwriteError):
    type = "provider_not_found"
    code = 404
    default_message = "Provider with the requested ID could not be found."


class ProviderIncorrectType(AppwriteError):
    type = "provider_incorrect_type"
    code = 400
    default_message = "The provider's type differs from the target's."


class ProviderAlreadyExists(AppwriteError):
    type = "provider_already_exists"
    code = 409
    default_message = "A provider with the requested ID already exists."


class TeamNotFound(AppwriteError):
    type = "team_not_found"
    code = 404
    default_message = "Team with the requested ID could not be found."


class TeamAlreadyExists(AppwriteError):
    type = "team_already_exists"
    code = 409
    default_message = "Team with the requested ID already exists."


class TeamInviteAlreadyExists(AppwriteError):
    type = "team_invite_already_exists"
    code = 409
    default_message = "A membership with the requested ID already exists."


class MembershipNotFound(AppwriteError):
    type = "membership_not_found"
    code = 404
    default_message = "Membership with the requested ID could not be found."


class MembershipAlreadyConfirmed(AppwriteError):
    type = "membership_already_confirmed"
    code = 409
    default_message = "Membership is already confirmed."


class UserMoreFactorsRequired(AppwriteError):
    type = "user_more_factors_required"
    code = 401
    default_message = "More factors are required to complete the sign in process."


class UserAuthenticatorNotFound(AppwriteError):
    type = "user_authenticator_not_found"
    code = 404
    default_message = "Authenticator could not be found on the current user."


class UserAuthenticatorAlreadyVerified(AppwriteError):
    type = "user_authenticator_already_verified"
    code = 409
    default_message = "This authenticator is already verified on the current user."


class UserRecoveryCodesAlreadyExists(AppwriteError):
    type = "user_recovery_codes_already_exists"
    code = 409
    default_message = "The current user already generated recovery codes."


class UserRecoveryCodesNotFound(AppwriteError):
    type = "user_recovery_codes_not_found"
    code = 404
    default_message = "The current user has not generated recovery codes yet."


class SmtpDisabled(AppwriteError):
    type = "general_smtp_disabled"
    code = 503
    default_message = "SMTP is disabled on this server: no email can be sent."


class PhoneDisabled(AppwriteError):
    type = "general_phone_disabled"
    code = 503
    default_message = "Phone authentication is disabled on this server: no SMS can be sent."


class GraphqlNoQuery(AppwriteError):
    type = "graphql_no_query"
    code = 400
    default_message = 'Param "query" is not optional.'


class GraphqlTooManyQueries(AppwriteError):
    type = "graphql_too_many_queries"
    code = 400
    default_message = "Too many queries."


class GraphqlMethodUnsupported(AppwriteError):
    type = "graphql_method_unsupported"
    code = 405
    default_message = "GET requests only support GraphQL query operations."


class ProjectProviderDisabled(AppwriteError):
    type = "project_provider_disabled"
    code = 412
    default_message = "This OAuth2 provider is not enabled for the project."


class ProjectInvalidSuccessUrl(AppwriteError):
    type = "project_invalid_success_url"
    code = 400
    default_message = "Invalid URL received for OAuth success redirect."


class ProjectInvalidFailureUrl(AppwriteError):
    type = "project_invalid_failure_url"
    code = 400
    default_message = "Invalid URL received for OAuth failure redirect."


class UserOAuth2BadRequest(AppwriteError):
    type = "user_oauth2_bad_request"
    code = 400
    default_message = "OAuth2 provider rejected the bad request."


class UserOAuth2ProviderError(AppwriteError):
    type = "user_oauth2_provider_error"
    code = 424
    default_message = "The OAuth2 provider failed."
