using System.Text.Json.Nodes;

namespace Hub.Sandbox.Propstreet.Projects;

/// <summary>A validated project create/PATCH body; absent fields leave the project unchanged.</summary>
public sealed class ProjectInput
{
    private static readonly HashSet<string> Mandates = ["exclusive", "non_exclusive", "other"];
    private static readonly HashSet<string> Classifications = ["draft", "active", "inactive"];
    private static readonly HashSet<string> Scales = ["none", "thousands", "millions", "billions"];

    private readonly JsonObject _body;

    private ProjectInput(JsonObject body) => _body = body;

    public string? Name { get; private set; }

    public Asset? Asset { get; private set; }

    public Price? Price { get; private set; }

    public PriceRange? PriceRange { get; private set; }

    public IReadOnlyList<ExternalRef>? ExternalRefs { get; private set; }

    public static (ProjectInput? Input, string? Error) Parse(JsonObject body, bool creating)
    {
        var input = new ProjectInput(body);
        try
        {
            return input.Validate(creating) is { } error ? (null, error) : (input, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            return (null, "A field has the wrong JSON type (see the project fields in the API reference): " + e.Message);
        }
    }

    private string? Validate(bool creating)
    {
        if (_body.ContainsKey("name") || creating)
        {
            Name = _body["name"]?.GetValue<string>()?.Trim();
            if (string.IsNullOrEmpty(Name) || Name.Length > 200)
                return "name is required and must be 1-200 characters.";
        }

        if (_body.TryGetPropertyValue("asset", out var assetNode))
        {
            if (assetNode is not JsonObject asset)
                return "asset must be an object with a type: {\"type\":\"single\"} or {\"type\":\"portfolio\",\"propertyCount\":5}.";
            var type = asset["type"]?.GetValue<string>();
            var count = asset["propertyCount"]?.GetValue<int>();
            if (type is not ("single" or "portfolio"))
                return "asset.type is required: single or portfolio.";
            if (type == "portfolio" && count is not null and < 2)
                return "asset.propertyCount of a portfolio must be at least 2.";
            Asset = new Asset(type, type == "portfolio" ? count : null);
        }

        if (_body.TryGetPropertyValue("mandate", out var mandateNode) && mandateNode is not null && !Mandates.Contains(mandateNode.GetValue<string>()))
            return "mandate must be exclusive, non_exclusive or other (or null to clear it).";
        if (_body.TryGetPropertyValue("classification", out var classificationNode) && (classificationNode is null || !Classifications.Contains(classificationNode.GetValue<string>())))
            return "classification must be draft, active or inactive.";

        if (_body.TryGetPropertyValue("price", out var priceNode) && priceNode is not null)
        {
            if (priceNode is not JsonObject price)
                return "price must be an object {\"value\":150,\"currency\":\"SEK\",\"scale\":\"millions\"} (or null to clear it).";
            var currency = price["currency"]?.GetValue<string>();
            var scale = price["scale"]?.GetValue<string>() ?? "none";
            if (price["value"]?.GetValue<decimal>() is not { } value || value < 0 || !IsCurrency(currency) || !Scales.Contains(scale))
                return "price needs a non-negative value, an ISO 4217 currency and a scale (none, thousands, millions, billions).";
            Price = new Price(value, currency!, scale);
        }

        if (_body.TryGetPropertyValue("priceRange", out var rangeNode) && rangeNode is not null)
        {
            if (rangeNode is not JsonObject range)
                return "priceRange must be an object {\"min\":100,\"max\":200,\"currency\":\"SEK\",\"scale\":\"millions\"} (or null to clear it).";
            var currency = range["currency"]?.GetValue<string>();
            var scale = range["scale"]?.GetValue<string>() ?? "none";
            var min = range["min"]?.GetValue<decimal>();
            var max = range["max"]?.GetValue<decimal>();
            if (!IsCurrency(currency) || !Scales.Contains(scale) || (min is not null && max is not null && min > max))
                return "priceRange needs an ISO 4217 currency, a scale, and min <= max.";
            PriceRange = new PriceRange(min, max, currency!, scale);
        }

        if (_body.TryGetPropertyValue("externalRefs", out var refsNode))
        {
            if (ExternalRef.FromJson(refsNode, out var refs) is { } error)
                return error;
            ExternalRefs = refs;
        }

        return null;
    }

    public Project ApplyTo(Project current) => current with
    {
        Name = Name ?? current.Name,
        Asset = Asset ?? current.Asset,
        Mandate = _body.ContainsKey("mandate") ? Str("mandate") : current.Mandate,
        Classification = Str("classification") ?? current.Classification,
        Price = _body.ContainsKey("price") ? Price : current.Price,
        PriceRange = _body.ContainsKey("priceRange") ? PriceRange : current.PriceRange,
        ExternalRefs = ExternalRefs ?? current.ExternalRefs,
    };

    private string? Str(string field) => _body[field]?.GetValue<string>();

    private static bool IsCurrency(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
