using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hub.Sandbox.HubSpot.Objects;
using Hub.Sandbox.HubSpot.Schema;

namespace Hub.Sandbox.HubSpot.Search;

/// <summary>
/// A search request: filter groups (OR'd; filters within a group AND'd), one sort, the page window, and a free-text
/// query. Values compare by the property's type: numbers as numbers, datetimes and dates as instants (epoch
/// milliseconds or ISO 8601), everything else case-insensitively as text.
/// </summary>
public sealed class SearchQuery
{
    public const int MaxGroups = 5;
    public const int MaxFiltersPerGroup = 10;
    public const int MaxFilters = 25;
    public const int MaxLimit = 200;

    private static readonly HashSet<string> Operators =
        ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"];

    private readonly List<List<Filter>> _groups = [];
    private (PropertyDefinition Property, bool Descending)? _sort;
    private string? _text;

    public int Limit { get; private set; } = 10;

    public int After { get; private set; }

    public List<string>? Properties { get; private set; }

    /// <param name="cap">Results a query reaches at most (HubSpot: 10,000): an <c>after</c> at or past it is refused.</param>
    public static (SearchQuery? Query, HubSpotError? Error) Parse(ObjectType type, JsonElement body, int cap)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return (null, HubSpotError.Validation("The search body must be a JSON object."));
        var query = new SearchQuery { Properties = HubSpotRequests.Strings(body, "properties"), _text = HubSpotRequests.Text(body, "query") };

        var groups = HubSpotRequests.Member(body, "filterGroups");
        if (groups.ValueKind == JsonValueKind.Array)
        {
            var all = groups.EnumerateArray().ToList();
            if (all.Count > MaxGroups)
                return (null, HubSpotError.Validation($"Too many filter groups: {all.Count}. A search takes at most {MaxGroups}."));
            foreach (var group in all)
            {
                var filters = HubSpotRequests.Member(group, "filters");
                var list = filters.ValueKind == JsonValueKind.Array ? filters.EnumerateArray().ToList() : [];
                if (list.Count > MaxFiltersPerGroup)
                    return (null, HubSpotError.Validation($"Too many filters in a group: {list.Count}. A group takes at most {MaxFiltersPerGroup}."));
                var parsed = new List<Filter>();
                foreach (var f in list)
                {
                    var (filter, error) = Filter.Parse(type, f);
                    if (error is not null)
                        return (null, error);
                    parsed.Add(filter!);
                }

                query._groups.Add(parsed);
            }

            if (query._groups.Sum(g => g.Count) > MaxFilters)
                return (null, HubSpotError.Validation($"Too many filters: {query._groups.Sum(g => g.Count)}. A search takes at most {MaxFilters}."));
        }

        var sorts = HubSpotRequests.Member(body, "sorts");
        if (sorts.ValueKind == JsonValueKind.Array && sorts.GetArrayLength() > 0)
        {
            if (sorts.GetArrayLength() > 1)
                return (null, HubSpotError.Validation("A search can be sorted by one property only."));
            var sort = sorts[0];
            var (name, descending) = sort.ValueKind == JsonValueKind.String
                ? (sort.GetString()!.TrimStart('-'), sort.GetString()!.StartsWith('-'))
                : (HubSpotRequests.Text(sort, "propertyName") ?? "", HubSpotRequests.Text(sort, "direction") == "DESCENDING");
            if (!type.Properties.TryGetValue(name, out var property))
                return (null, HubSpotError.Validation($"Cannot sort by {name}: the property does not exist on {type.Name}."));
            query._sort = (property, descending);
        }

        var limit = HubSpotRequests.Text(body, "limit");
        if (limit is not null)
        {
            if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxLimit)
                return (null, HubSpotError.Validation($"limit must be a whole number from 1 to {MaxLimit}; got {limit}."));
            query.Limit = n;
        }

        var after = HubSpotRequests.Text(body, "after");
        if (after is { Length: > 0 })
        {
            if (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                return (null, HubSpotError.Validation($"after must be the paging.next.after of the previous page; got {after}."));
            if (offset >= cap)
            {
                return (null, HubSpotError.Validation(
                    $"Search results are limited to {cap:N0}: after={offset} pages past the last of them. Narrow the query (e.g. re-anchor on the last lastmodifieddate seen) instead of paging deeper."));
            }

            query.After = offset;
        }

        return (query, null);
    }

    public bool Matches(ObjectType type, CrmRecord record) =>
        (_groups.Count == 0 || _groups.Any(g => g.All(f => f.Matches(record)))) && (_text is not { Length: > 0 } text || MatchesText(type, record, text));

    public List<CrmRecord> Sorted(IEnumerable<CrmRecord> records)
    {
        if (_sort is not { } sort)
            return records.OrderBy(r => r.Id).ToList();
        var comparer = Comparer<CrmRecord>.Create((a, b) =>
        {
            var x = a[sort.Property.Name];
            var y = b[sort.Property.Name];
            // Records without a value come last either way.
            if (x is null || y is null)
                return x is null && y is null ? a.Id.CompareTo(b.Id) : x is null ? 1 : -1;
            var order = Filter.Compare(sort.Property, x, y);
            return order != 0 ? (sort.Descending ? -order : order) : a.Id.CompareTo(b.Id);
        });
        return records.Order(comparer).ToList();
    }

    private static bool MatchesText(ObjectType type, CrmRecord record, string text) =>
        type.Properties.Values.Where(p => p.Type is PropertyType.Text or PropertyType.Enumeration)
            .Any(p => record[p.Name] is { } value && Filter.ContainsToken(value, text));

    private sealed record Filter(PropertyDefinition Property, string Operator, string? Value, string? HighValue, IReadOnlyList<string> Values)
    {
        public static (Filter? Filter, HubSpotError? Error) Parse(ObjectType type, JsonElement f)
        {
            var name = HubSpotRequests.Text(f, "propertyName") ?? "";
            var op = HubSpotRequests.Text(f, "operator") ?? "EQ";
            if (!type.Properties.TryGetValue(name, out var property))
                return (null, HubSpotError.Validation($"Cannot filter on {name}: the property does not exist on {type.Name}."));
            if (!Operators.Contains(op))
                return (null, HubSpotError.Validation($"Unknown operator {op}. Use one of: {string.Join(", ", Operators)}."));
            var values = HubSpotRequests.Member(f, "values") is { ValueKind: JsonValueKind.Array } array
                ? array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList()
                : [];
            var filter = new Filter(property, op, HubSpotRequests.Text(f, "value") ?? Bool(f, "value"), HubSpotRequests.Text(f, "highValue"), values);
            var missing = op switch
            {
                "IN" or "NOT_IN" => values.Count == 0 ? "values" : null,
                "BETWEEN" => filter.Value is null || filter.HighValue is null ? "value and highValue" : null,
                "HAS_PROPERTY" or "NOT_HAS_PROPERTY" => null,
                _ => filter.Value is null ? "value" : null,
            };
            return missing is null ? (filter, null) : (null, HubSpotError.Validation($"The {op} filter on {name} needs {missing}."));
        }

        public bool Matches(CrmRecord record)
        {
            var actual = record[Property.Name];
            return Operator switch
            {
                "HAS_PROPERTY" => actual is not null,
                "NOT_HAS_PROPERTY" => actual is null,
                "EQ" => actual is not null && Compare(Property, actual, Value!) == 0,
                "NEQ" => actual is null || Compare(Property, actual, Value!) != 0,
                "LT" => actual is not null && Compare(Property, actual, Value!) < 0,
                "LTE" => actual is not null && Compare(Property, actual, Value!) <= 0,
                "GT" => actual is not null && Compare(Property, actual, Value!) > 0,
                "GTE" => actual is not null && Compare(Property, actual, Value!) >= 0,
                "BETWEEN" => actual is not null && Compare(Property, actual, Value!) >= 0 && Compare(Property, actual, HighValue!) <= 0,
                "IN" => actual is not null && Values.Any(v => Compare(Property, actual, v) == 0),
                "NOT_IN" => actual is null || Values.All(v => Compare(Property, actual, v) != 0),
                "CONTAINS_TOKEN" => actual is not null && ContainsToken(actual, Value!),
                "NOT_CONTAINS_TOKEN" => actual is null || !ContainsToken(actual, Value!),
                _ => false,
            };
        }

        /// <summary>Numbers as numbers, datetimes and dates as instants, the rest as case-insensitive text.</summary>
        public static int Compare(PropertyDefinition property, string a, string b)
        {
            if (property.Type == PropertyType.Number
                && decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
                return x.CompareTo(y);
            if (property.Type is PropertyType.DateTime or PropertyType.Date
                && PropertyDefinition.ParseInstant(a) is { } p && PropertyDefinition.ParseInstant(b) is { } q)
                return p.CompareTo(q);
            return string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>A word of the value (split at spaces and punctuation) or the whole value; <c>*</c> is a wildcard.</summary>
        public static bool ContainsToken(string value, string token)
        {
            if (token.Contains('*', StringComparison.Ordinal))
            {
                var pattern = "^" + Regex.Escape(token).Replace("\\*", ".*", StringComparison.Ordinal) + "$";
                return Tokens(value).Append(value).Any(t => Regex.IsMatch(t, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
            }

            return string.Equals(value, token, StringComparison.OrdinalIgnoreCase) || Tokens(value).Any(t => string.Equals(t, token, StringComparison.OrdinalIgnoreCase));
        }

        private static IEnumerable<string> Tokens(string value) =>
            value.Split([' ', '\t', ',', ';', '.', '@', '-', '_', '/', ':', '(', ')'], StringSplitOptions.RemoveEmptyEntries);

        private static string? Bool(JsonElement f, string name) =>
            HubSpotRequests.Member(f, name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } b ? (b.GetBoolean() ? "true" : "false") : null;
    }
}
