/**
 * API Gateway's own answers, the "gateway responses" it gives before or instead of an
 * integration: their status, their `{"message": ...}` body worded as AWS words it, and the
 * `x-amzn-ErrorType` header. A `hint` field, which AWS does not send, says what to do locally.
 *
 * @module
 */

/** The gateway responses the local gateway gives, with AWS's status and message. */
export const GATEWAY_RESPONSES = {
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    message: "Missing Authentication Token",
    type: "MissingAuthenticationTokenException",
  },
  INVALID_API_KEY: { status: 403, message: "Forbidden", type: "ForbiddenException" },
  BAD_REQUEST_BODY: {
    status: 400,
    message: "Invalid request body",
    type: "BadRequestException",
  },
  BAD_REQUEST_PARAMETERS: {
    status: 400,
    message: "Missing required request parameters",
    type: "BadRequestException",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: "Unsupported Media Type",
    type: "UnsupportedMediaTypeException",
  },
  INTEGRATION_FAILURE: {
    status: 502,
    message: "Internal server error",
    type: "InternalServerErrorException",
  },
} as const;

/** One gateway response. */
export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

/**
 * A request the gateway answers itself.
 *
 * @example
 * ```ts
 * const res = new GatewayError("BAD_REQUEST_BODY", "Data: is required").response();
 * res.status; // 400
 * ```
 */
export class GatewayError extends Error {
  readonly status: number;
  /** The `message` of the body: AWS's words. */
  readonly apiMessage: string;
  constructor(
    readonly kind: GatewayResponseType,
    readonly hint?: string,
    message: string = GATEWAY_RESPONSES[kind].message,
  ) {
    super(hint ? `${message}: ${hint}` : message);
    this.name = "GatewayError";
    this.status = GATEWAY_RESPONSES[kind].status;
    this.apiMessage = message;
  }
  /** The JSON response. */
  response(): Response {
    return Response.json(
      this.hint ? { message: this.apiMessage, hint: this.hint } : { message: this.apiMessage },
      {
        status: this.status,
        headers: { "x-amzn-errortype": GATEWAY_RESPONSES[this.kind].type },
      },
    );
  }
}
