namespace Hub.Sandbox.Faults;

/// <summary>
/// How an API whose errors are not problem+json (HubSpot) answers injected faults on its paths. Those paths are
/// API paths for fault injection too; APIs without a responder (Propstreet, Property Finder) get problem+json.
/// </summary>
public interface IFaultResponder
{
    bool Serves(PathString path);

    IResult ServerError(int status);

    IResult TooManyRequests(TimeSpan retryAfter);
}
