using Microsoft.Extensions.Options;

namespace Hub.Sandbox.HubSpot.Schema;

/// <summary>
/// The portal's object types: HubSpot's standard properties (here, in code) plus the custom properties from
/// <c>Sandbox:HubSpot:Properties:{objectType}</c> (data, so the hub's properties are added without code).
/// </summary>
public sealed class ObjectTypes
{
    private static readonly string[] Lifecycle =
        ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];

    private static readonly string[] LeadStatus =
        ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"];

    private static readonly string[] DealStages =
        ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"];

    private readonly Dictionary<string, ObjectType> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ObjectTypes(IOptions<HubSpotOptions> options)
    {
        var o = options.Value;
        Contacts = Build(o, "contacts", "contact", "0-1", "createdate", "lastmodifieddate",
            ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
            [
                new("email", PropertyType.Text, Unique: true), Text("firstname"), Text("lastname"), Text("phone"), Text("mobilephone"),
                Text("company"), Text("jobtitle"), Text("city"), Text("country"), Text("state"), Text("zip"), Text("address"), Text("website"),
                Choice("lifecyclestage", Lifecycle), Choice("hs_lead_status", LeadStatus),
            ]);
        Companies = Build(o, "companies", "company", "0-2", "createdate", "hs_lastmodifieddate",
            ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
            [
                Text("name"), Text("domain"), Text("website"), Text("phone"), Text("city"), Text("country"), Text("state"), Text("zip"),
                Text("address"), Text("description"), new("numberofemployees", PropertyType.Number),
                // An enumeration in HubSpot (REAL_ESTATE, …); not validated here, so send HubSpot's option values.
                Text("industry"),
            ]);
        Deals = Build(o, "deals", "deal", "0-3", "createdate", "hs_lastmodifieddate",
            ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"],
            [
                Text("dealname"), Choice("dealstage", DealStages), Choice("pipeline", ["default"]), new("amount", PropertyType.Number),
                new("closedate", PropertyType.DateTime), Choice("dealtype", ["newbusiness", "existingbusiness"]), Text("description"),
            ]);
        Listings = Build(o, "listings", "listing", o.ListingsObjectTypeId, "hs_createdate", "hs_lastmodifieddate",
            ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"], [], [$"p{o.PortalId}_listings", "listing"]);
        All = [Contacts, Companies, Deals, Listings];
        foreach (var type in All)
        {
            foreach (var name in type.Aliases.Append(type.Name).Append(type.Singular).Append(type.TypeId))
                _byName[name] = type;
        }
    }

    public ObjectType Contacts { get; }

    public ObjectType Companies { get; }

    public ObjectType Deals { get; }

    public ObjectType Listings { get; }

    public IReadOnlyList<ObjectType> All { get; }

    /// <summary>The type a path segment names (plural, singular, objectTypeId or fully qualified), or null.</summary>
    public ObjectType? Resolve(string name) => _byName.GetValueOrDefault(name);

    private static ObjectType Build(
        HubSpotOptions options, string name, string singular, string typeId, string created, string lastModified,
        string[] defaults, PropertyDefinition[] standard, string[]? aliases = null)
    {
        var properties = new Dictionary<string, PropertyDefinition>(StringComparer.Ordinal)
        {
            ["hs_object_id"] = new("hs_object_id", PropertyType.Number, ReadOnly: true),
            [created] = new(created, PropertyType.DateTime),
            [lastModified] = new(lastModified, PropertyType.DateTime, ReadOnly: true),
            ["hs_merged_object_ids"] = new("hs_merged_object_ids", PropertyType.Text, ReadOnly: true),
            ["hubspot_owner_id"] = new("hubspot_owner_id", PropertyType.Owner),
        };
        foreach (var p in standard)
            properties[p.Name] = p;
        foreach (var custom in options.Properties.GetValueOrDefault(name) ?? [])
        {
            var type = System.Enum.TryParse<PropertyType>(custom.Type, ignoreCase: true, out var t) ? t : PropertyType.Text;
            properties[custom.Name] = new PropertyDefinition(
                custom.Name, type, custom.Unique, Options: custom.Options.Count > 0 ? custom.Options.ToHashSet(StringComparer.Ordinal) : null);
        }

        return new ObjectType
        {
            Name = name, Singular = singular, TypeId = typeId, CreatedProperty = created, LastModifiedProperty = lastModified,
            Properties = properties, DefaultProperties = defaults, Aliases = aliases ?? [],
        };
    }

    private static PropertyDefinition Text(string name) => new(name, PropertyType.Text);

    private static PropertyDefinition Choice(string name, string[] options) =>
        new(name, PropertyType.Enumeration, Options: options.ToHashSet(StringComparer.Ordinal));
}
