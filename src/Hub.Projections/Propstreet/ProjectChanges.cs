using System.Text.Json.Nodes;

namespace Hub.Projections.Propstreet;

/// <summary>A link to a record in another system, e.g. <c>hubspot</c> / a HubSpot deal id.</summary>
public sealed record PropstreetExternalRef(string Namespace, string Id);

/// <summary>A project's asking price: <c>value × scale</c> in an ISO 4217 currency; scale none, thousands, millions or billions.</summary>
public sealed record ProjectPrice(decimal Value, string Currency, string Scale = "none");

/// <summary>
/// The fields of a project create or PATCH. Null leaves a field as it is (not sent). <see cref="Mandate"/> "" clears
/// it; <see cref="ClearPrice"/> clears the price; <see cref="ExternalRefs"/> replaces every reference (empty removes
/// them all: Propstreet replaces the list, it never merges).
/// </summary>
public sealed record ProjectChanges
{
    /// <summary>1–200 characters; required to create.</summary>
    public string? Name { get; init; }

    /// <summary>draft, active or inactive.</summary>
    public string? Classification { get; init; }

    /// <summary>exclusive, non_exclusive or other; "" clears it.</summary>
    public string? Mandate { get; init; }

    public ProjectPrice? Price { get; init; }

    public bool ClearPrice { get; init; }

    public IReadOnlyList<PropstreetExternalRef>? ExternalRefs { get; init; }

    internal (JsonObject? Body, PropstreetWriteResult.Invalid? Invalid) ToBody(bool creating)
    {
        var body = new JsonObject();
        if (Name is not null || creating)
        {
            var name = Name?.Trim() ?? "";
            if (name.Length is < 1 or > 200)
                return (null, new PropstreetWriteResult.Invalid("name", $"name is {name.Length} characters; Propstreet takes 1-200. Nothing was sent."));
            body["name"] = name;
        }

        if (Classification is { } classification)
            body["classification"] = classification.Trim();
        if (Mandate is { } mandate)
            body["mandate"] = mandate.Trim() is { Length: > 0 } m ? m : null;
        if (ClearPrice && Price is not null)
            return (null, new PropstreetWriteResult.Invalid("price", "price is both set and cleared. Nothing was sent."));
        if (ClearPrice)
            body["price"] = null;
        else if (Price is { } price)
            body["price"] = new JsonObject { ["value"] = price.Value, ["currency"] = price.Currency, ["scale"] = price.Scale };
        if (ExternalRefs is { } refs)
            body["externalRefs"] = ExternalRefsJson(refs);
        return (body, null);
    }

    internal static JsonArray ExternalRefsJson(IReadOnlyList<PropstreetExternalRef> refs) =>
        [.. refs.Select(r => (JsonNode)new JsonObject { ["namespace"] = r.Namespace, ["id"] = r.Id })];
}

/// <summary>The fields of a prospect PATCH: null leaves a field as it is; <see cref="ExternalRefs"/> replaces every reference.</summary>
public sealed record ProspectChanges
{
    /// <summary>not_contacted, contacted, interested, not_interested or bidder.</summary>
    public string? Classification { get; init; }

    public IReadOnlyList<PropstreetExternalRef>? ExternalRefs { get; init; }

    internal JsonObject ToBody()
    {
        var body = new JsonObject();
        if (Classification is { } classification)
            body["classification"] = classification.Trim();
        if (ExternalRefs is { } refs)
            body["externalRefs"] = ProjectChanges.ExternalRefsJson(refs);
        return body;
    }
}

/// <summary>An investor to add to a project: exactly one of a contact (preferred) or a company.</summary>
public sealed record NewProspect(string? ContactId, string? CompanyId, IReadOnlyList<PropstreetExternalRef>? ExternalRefs = null)
{
    internal (JsonObject? Body, PropstreetWriteResult.Invalid? Invalid) ToBody()
    {
        if (string.IsNullOrWhiteSpace(ContactId) == string.IsNullOrWhiteSpace(CompanyId))
            return (null, new PropstreetWriteResult.Invalid("contactId", "A prospect needs exactly one of contactId or companyId. Nothing was sent."));
        var body = new JsonObject();
        if (!string.IsNullOrWhiteSpace(ContactId))
            body["contactId"] = ContactId.Trim();
        else
            body["companyId"] = CompanyId!.Trim();
        if (ExternalRefs is { } refs)
            body["externalRefs"] = ProjectChanges.ExternalRefsJson(refs);
        return (body, null);
    }
}
