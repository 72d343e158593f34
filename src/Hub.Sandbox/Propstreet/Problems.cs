namespace Hub.Sandbox.Propstreet;

/// <summary>RFC 9457 problem documents with Propstreet's <c>urn:propstreet:error:&lt;code&gt;</c> types.</summary>
public static class Problems
{
    public static IResult Create(int status, string code, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(
            type: Type(code),
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

    public static IResult UnsupportedMediaType() =>
        Create(415, "unsupported-media-type", "Unsupported media type", "Send the body as JSON with Content-Type: application/json.");

    /// <summary>
    /// Gives the problems ASP.NET Core writes itself under <c>/api</c> (no route, wrong method, an unhandled
    /// exception, an injected fault) Propstreet's type and a detail that says what to do, instead of the generic
    /// RFC 9110 links. Problems the endpoints create already carry their type and are left alone.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        if (!http.Request.Path.StartsWithSegments("/api") || problem.Type?.StartsWith(Prefix, StringComparison.Ordinal) == true)
            return;
        var status = problem.Status ?? http.Response.StatusCode;
        var where = $"{http.Request.Method} {http.Request.Path}";
        var (code, detail) = status switch
        {
            400 => ("validation-error", "The request is malformed; check the path, query and body against the API reference."),
            404 => ("not-found", $"Nothing is served at {where}: check the path, and that ids are the numeric strings the API returned."),
            405 => ("method-not-allowed", $"{http.Request.Method} is not supported on {http.Request.Path}; see the Allow header."),
            413 => ("payload-too-large", "The request body is too large."),
            415 => ("unsupported-media-type", "Send the body as JSON with Content-Type: application/json."),
            429 => ("rate-limited", "Too many requests; wait for Retry-After and retry."),
            503 => ("service-unavailable", "The service is temporarily unavailable; retry with backoff."),
            >= 500 => ("server-error", "The server failed to handle the request; retry with backoff."),
            _ => ("error", $"{where} failed with status {status}."),
        };
        problem.Type = Type(code);
        problem.Detail ??= detail;
    }

    private const string Prefix = "urn:propstreet:error:";

    private static string Type(string code) => Prefix + code;
}
