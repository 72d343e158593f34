namespace Hub.Sync.Tests.TwoWay;

/// <summary>A contact as both sides held it at the last sync, in HubSpot properties: the tests' baseline.</summary>
internal static class SyncedContact
{
    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["firstname"] = "Anna",
        ["lastname"] = "Berg",
        ["email"] = "anna@berg.se",
        ["phone"] = "+46701234567",
        ["jobtitle"] = "CIO",
        ["company"] = "Berg Invest",
        ["propstreet_tags"] = "core;vip",
        ["propstreet_strategy"] = "value_add",
        ["propstreet_uri"] = "https://app.propstreet.com/network/contacts/1",
    };
}
