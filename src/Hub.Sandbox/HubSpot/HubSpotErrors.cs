using System.Text.Json;
using System.Text.Json.Serialization;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot;

/// <summary>
/// HubSpot's error body — <c>{status:"error", message, correlationId, category, subCategory?, context?, errors?}</c>
/// as <c>application/json</c> (HubSpot's shape, not problem+json: a client of the real API parses this one).
/// </summary>
public sealed record HubSpotError(
    [property: JsonIgnore] int HttpStatus,
    [property: JsonPropertyOrder(-1)] string Category,
    [property: JsonPropertyOrder(-3)] string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ErrorDetail>? Errors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SubCategory = null)
{
    [JsonPropertyOrder(-4)]
    public string Status => "error";

    [JsonPropertyOrder(-2)]
    public string CorrelationId { get; init; } = Guid.NewGuid().ToString();

    public IResult ToResult() => Results.Json(this, HubSpotJson.Options, "application/json;charset=utf-8", HttpStatus);

    public static HubSpotError Validation(string message, IReadOnlyList<ErrorDetail>? errors = null) =>
        new(StatusCodes.Status400BadRequest, "VALIDATION_ERROR", message, Errors: errors);

    /// <summary>"Property values were not valid: [...]" with HubSpot's per-property JSON inside the message.</summary>
    public static HubSpotError InvalidProperties(IReadOnlyList<PropertyError> errors)
    {
        var listed = JsonSerializer.Serialize(
            errors.Select(e => new { isValid = false, message = e.Message, error = e.Code, name = e.Name, localizedErrorMessage = e.Message }),
            HubSpotJson.Options);
        return Validation(
            $"Property values were not valid: {listed}",
            [.. errors.Select(e => new ErrorDetail(e.Message, e.Code, new Dictionary<string, IReadOnlyList<string>> { ["propertyName"] = [e.Name] }))]);
    }

    public static HubSpotError NotFound(string id) =>
        new(StatusCodes.Status404NotFound, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
            new Dictionary<string, IReadOnlyList<string>> { ["id"] = [id] });

    public static HubSpotError Conflict(string message) => new(StatusCodes.Status409Conflict, "CONFLICT", message);

    /// <summary>The 409 for a taken unique value; the trailing "Existing ID: n" is what clients parse.</summary>
    public static HubSpotError Duplicate(ObjectType type, string property, string value, long existingId) =>
        Conflict(property == "email" && type.Name == "contacts"
            ? $"Contact already exists. Existing ID: {existingId}"
            : $"{type.Label} with {property} \"{value}\" already exists. Existing ID: {existingId}");

    public static HubSpotError UnknownObjectType(string name) => Validation($"Unable to infer object type from: {name}");
}

/// <summary>One entry of an error's <c>errors</c> list.</summary>
public sealed record ErrorDetail(
    string Message,
    string Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null);
