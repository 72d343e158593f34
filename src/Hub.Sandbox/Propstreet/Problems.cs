namespace Hub.Sandbox.Propstreet;

/// <summary>RFC 9457 problem documents with Propstreet's <c>urn:propstreet:error:&lt;code&gt;</c> types.</summary>
public static class Problems
{
    public static IResult Create(int status, string code, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(
            type: $"urn:propstreet:error:{code}",
            title: title,
            statusCode: status,
            detail: detail,
            extensions: extensions);

    public static IResult BadRequest(string detail) => Create(400, "validation-error", "Validation failed", detail);

    public static IResult NotFound(string detail) => Create(404, "not-found", "Not found", detail);

    public static IResult Conflict(string detail) => Create(409, "conflict", "Conflict", detail);

    public static IResult PreconditionFailed() =>
        Create(412, "precondition-failed", "Precondition failed", "ETag mismatch - resource was modified");

    public static IResult Unauthorized() =>
        Create(401, "unauthorized", "Unauthorized", "A bearer token is required (Authorization: Bearer <token>).");
}
