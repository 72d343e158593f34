using PhoneNumbers;

namespace Hub.Sync.Propstreet;

/// <summary>
/// Phone numbers as Propstreet stores them: E.164 where the number parses (national numbers read in the tenant's home
/// region), anything else kept as given, trimmed. The hub writes phones in this form and compares them in it, so
/// "070-123 45 67" in HubSpot and "+46701234567" in Propstreet are one value, not a conflict that syncs forever.
/// </summary>
public static class Phones
{
    /// <summary>Propstreet's home market: national numbers without a country code are Swedish.</summary>
    public const string DefaultRegion = "SE";

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static string Normalize(string? raw, string defaultRegion = DefaultRegion)
    {
        var text = raw?.Trim() ?? "";
        if (text.Length == 0)
            return "";
        try
        {
            var number = Util.Parse(text, defaultRegion);
            return Util.IsPossibleNumber(number) ? Util.Format(number, PhoneNumberFormat.E164) : text;
        }
        catch (NumberParseException)
        {
            return text;
        }
    }

    public static bool Same(string? a, string? b) => string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);
}
