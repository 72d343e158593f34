namespace Hub.Sandbox.Propstreet.Contacts;

/// <summary>
/// Best-effort E.164 normalisation. National numbers (leading 0) are read as Swedish, the tenant's home market;
/// anything that does not look like a phone number is kept as given, as the docs say.
/// </summary>
public static class PhoneNumbers
{
    private const string DefaultCountryCode = "46";

    public static string Normalize(string raw)
    {
        var text = raw.Trim();
        var digits = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
                digits.Append(c);
            else if (c == '+' && i == 0)
                continue;
            else if (c is not (' ' or '-' or '(' or ')' or '.' or '/'))
                return raw; // letters, extensions, etc.: not normalisable
        }

        var d = digits.ToString();
        string international;
        if (text.StartsWith('+'))
            international = d;
        else if (d.StartsWith("00", StringComparison.Ordinal))
            international = d[2..];
        else if (d.StartsWith('0'))
            international = DefaultCountryCode + d[1..];
        else
            return raw; // no country information at all

        // Drop a trunk zero written after the country code, e.g. +46 (0)70 ...
        if (international.StartsWith(DefaultCountryCode + "0", StringComparison.Ordinal))
            international = DefaultCountryCode + international[3..];
        return international.Length is >= 8 and <= 15 && international[0] != '0' ? "+" + international : raw;
    }
}
