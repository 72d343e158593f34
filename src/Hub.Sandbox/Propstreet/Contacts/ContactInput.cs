using System.Globalization;
using System.Text.Json.Nodes;
using Hub.Sandbox.Propstreet.Storage;

namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>
/// A validated contact write (create, PATCH, upsert). Fields absent from the body leave the contact unchanged;
/// present ones replace (arrays replace, not merge). Length limits are the documented ones.
/// </summary>
public sealed class ContactInput
{
    private readonly JsonObject _body;
    private IReadOnlyList<ContactEmail>? _emails;
    private IReadOnlyList<ContactPhone>? _phones;
    private IReadOnlyList<string>? _tags;
    private IReadOnlyList<ContactCompany>? _companies;

    private ContactInput(JsonObject body) => _body = body;

    public IReadOnlyList<ExternalRef>? ExternalRefs { get; private set; }

    /// <summary>The primary email this write would give the contact, for match=email.</summary>
    public string? MatchEmail =>
        Str("email") ?? (_emails is { Count: > 0 } e ? e[0].Address : null);

    public static (ContactInput? Input, string? Error) Parse(JsonObject body, PropstreetData data, bool allowExternalRefs)
    {
        var input = new ContactInput(body);
        try
        {
            return input.Validate(data, allowExternalRefs) is { } error ? (null, error) : (input, null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // JsonNode accessors throw these when a field has the wrong JSON type.
            return (null, "A field has the wrong JSON type (see the contact fields in the API reference): " + e.Message);
        }
    }

    private string? Validate(PropstreetData data, bool allowExternalRefs)
    {
        foreach (var (field, max) in new[] { ("firstName", 100), ("lastName", 100), ("email", 254), ("phone", 20), ("primaryLanguage", 10), ("strategy", 4000), ("linkedInUrl", 500) })
        {
            if (!_body.TryGetPropertyValue(field, out var node) || node is null)
                continue;
            if (node.GetValueKind() != System.Text.Json.JsonValueKind.String)
                return $"{field} must be a string or null.";
            if (node.GetValue<string>().Length > max)
                return $"{field} is limited to {max} characters.";
        }

        if (Str("email") is { } email && !LooksLikeEmail(email))
            return $"email '{email}' is not a valid email address.";

        if (_body.TryGetPropertyValue("emails", out var emails))
        {
            var list = new List<ContactEmail>();
            foreach (var item in AsArray(emails, "emails"))
            {
                var address = item?["address"]?.GetValue<string>()?.Trim();
                if (string.IsNullOrEmpty(address) || address.Length > 254 || !LooksLikeEmail(address))
                    return $"emails: '{address}' is not a valid email address (max 254 characters).";
                list.Add(new ContactEmail(address, item?["type"]?.GetValue<string>(), false));
            }

            _emails = list;
        }

        if (_body.TryGetPropertyValue("phones", out var phones))
        {
            var list = new List<ContactPhone>();
            foreach (var item in AsArray(phones, "phones"))
            {
                var number = item?["number"]?.GetValue<string>()?.Trim();
                if (string.IsNullOrEmpty(number) || number.Length > 20)
                    return "phones: each number is required and limited to 20 characters.";
                list.Add(new ContactPhone(PhoneNumbers.Normalize(number), item?["type"]?.GetValue<string>(), false));
            }

            _phones = list;
        }

        if (_body.TryGetPropertyValue("tags", out var tags))
        {
            var list = new List<string>();
            foreach (var tag in AsArray(tags, "tags"))
            {
                var text = tag?.GetValue<string>()?.Trim();
                if (string.IsNullOrEmpty(text) || text.Length > 100)
                    return "tags: each tag must be 1-100 characters.";
                if (!list.Contains(text, StringComparer.OrdinalIgnoreCase))
                    list.Add(text);
            }

            _tags = list;
        }

        if (_body.TryGetPropertyValue("connections", out var connections))
        {
            var list = new List<ContactCompany>();
            foreach (var item in AsArray(connections, "connections"))
            {
                var kind = item?["company"]?["kind"]?.GetValue<string>();
                var idText = item?["company"]?["id"]?.GetValue<string>();
                if (kind != "existing")
                    return "connections: company.kind must be \"existing\" (the sandbox does not create companies inline).";
                if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var companyId)
                    || data.Companies.Get(companyId) is not { DeletedUtc: null } company)
                    return $"connections: company '{idText}' does not exist.";
                var jobTitle = item?["jobTitle"]?.GetValue<string>();
                if (jobTitle?.Length > 200)
                    return "connections: jobTitle is limited to 200 characters.";
                list.Add(new ContactCompany(companyId, company.Uri, company.Name, jobTitle, item?["primary"]?.GetValue<bool>() ?? false));
            }

            if (list.Count > 0 && !list.Any(c => c.IsPrimary))
                list[0] = list[0] with { IsPrimary = true };
            var primaryIndex = list.FindIndex(c => c.IsPrimary);
            _companies = list.Select((c, i) => c with { IsPrimary = i == primaryIndex }).ToList();
        }

        if (_body.TryGetPropertyValue("externalRefs", out var refs))
        {
            if (!allowExternalRefs)
                return "externalRefs cannot be set here; the reference is given by the path.";
            if (ExternalRef.FromJson(refs, out var normalised) is { } error)
                return error;
            ExternalRefs = normalised;
        }

        return null;
    }

    /// <summary>The contact after this write (identity and bookkeeping fields are the caller's).</summary>
    public Contact ApplyTo(Contact current)
    {
        var next = current with
        {
            FirstName = Has("firstName") ? Str("firstName") : current.FirstName,
            LastName = Has("lastName") ? Str("lastName") : current.LastName,
            PrimaryLanguage = Has("primaryLanguage") ? Str("primaryLanguage") : current.PrimaryLanguage,
            Strategy = Has("strategy") ? Str("strategy") : current.Strategy,
            LinkedInUrl = Has("linkedInUrl") ? Str("linkedInUrl") : current.LinkedInUrl,
            Tags = _tags ?? current.Tags,
            Companies = _companies ?? current.Companies,
            ExternalRefs = ExternalRefs ?? current.ExternalRefs,
        };

        // email/emails: the primary is "email"; given only the array, the first entry becomes primary; given only
        // "email", it becomes (or replaces) the first entry.
        var (email, emailList) = SyncPrimary(
            Has("email"), Str("email"), _emails?.Select(e => e.Address).ToList(), current.Email, current.Emails.Select(e => e.Address).ToList());
        var emailTypes = (_emails ?? current.Emails).ToDictionary(e => e.Address, e => e.Type, StringComparer.OrdinalIgnoreCase);
        next = next with
        {
            Email = email,
            Emails = emailList.Select(a => new ContactEmail(a, emailTypes.GetValueOrDefault(a), string.Equals(a, email, StringComparison.OrdinalIgnoreCase))).ToList(),
        };

        var phoneGiven = Str("phone") is { } p ? PhoneNumbers.Normalize(p) : null;
        var (phone, phoneList) = SyncPrimary(
            Has("phone"), phoneGiven, _phones?.Select(x => x.Number).ToList(), current.Phone, current.Phones.Select(x => x.Number).ToList());
        var phoneTypes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var x in _phones ?? current.Phones)
            phoneTypes.TryAdd(x.Number, x.Type);
        return next with
        {
            Phone = phone,
            Phones = phoneList.Select(n => new ContactPhone(n, phoneTypes.GetValueOrDefault(n), n == phone)).ToList(),
        };
    }

    private static (string? Primary, List<string> List) SyncPrimary(
        bool primaryGiven, string? primary, List<string>? listGiven, string? currentPrimary, List<string> currentList)
    {
        var list = listGiven ?? currentList;
        // "If you provide emails but not email, the primary is the first entry": an explicit null alongside the
        // array counts as not provided (the docs' own upsert example sends "email": null with emails).
        if (!primaryGiven || (primary is null && listGiven is not null))
            return (listGiven is null ? currentPrimary : list.FirstOrDefault(), list);
        if (primary is null)
            return (null, list.Skip(1).ToList());
        if (list.Contains(primary, StringComparer.OrdinalIgnoreCase))
            return (primary, list);
        if (listGiven is null && list.Count > 0)
            list[0] = primary;
        else
            list.Insert(0, primary);
        return (primary, list);
    }

    private bool Has(string field) => _body.ContainsKey(field);

    private string? Str(string field) =>
        _body.TryGetPropertyValue(field, out var node) && node is not null ? node.GetValue<string>().Trim() is { Length: > 0 } s ? s : null : null;

    // Arrays replace; null is not an empty array (only [] clears), so it is a wrong type like a string would be.
    private static JsonArray AsArray(JsonNode? node, string field) =>
        node as JsonArray ?? throw new InvalidOperationException($"{field} must be an array ([] to clear it).");

    private static bool LooksLikeEmail(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == value.LastIndexOf('@') && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.') && !value.Any(char.IsWhiteSpace);
    }
}
