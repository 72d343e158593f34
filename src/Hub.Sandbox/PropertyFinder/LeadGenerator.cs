using Bogus;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// Deterministic leads: the same seed and count give the same leads, timestamps included (they count back from a
/// fixed epoch, never from the wall clock). Names mix Emirati/Arab and international ones, phones come in the
/// formats people actually type, listing references follow the <c>APT-DOWNTOWN-101</c> pattern.
/// </summary>
public sealed class LeadGenerator
{
    /// <summary>Seeded leads were created during the 180 days before this instant.</summary>
    public static readonly DateTime Epoch = new(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    public const long FirstLeadNumber = 900_001;

    private static readonly string[] ArabFirstNames =
        ["Mohammed", "Ahmed", "Omar", "Khalid", "Rashid", "Saeed", "Hamdan", "Yousef", "Fatima", "Aisha", "Mariam", "Noura", "Layla", "Hessa", "Sara", "Abdullah"];

    private static readonly string[] ArabLastNames =
        ["Al Mansoori", "Al Nuaimi", "Al Hashimi", "Al Maktoum", "Al Falasi", "Al Suwaidi", "Haddad", "Khoury", "Nasser", "Rahman", "Al Ketbi", "Qureshi"];

    private static readonly string[] Areas =
        ["DOWNTOWN", "MARINA", "JLT", "JVC", "PALM", "BUSINESSBAY", "DUBAIHILLS", "ARABIANRANCHES", "DIFC", "ALBARSHA", "CREEK", "JBR"];

    private static readonly Dictionary<string, string> AreaTitles = new()
    {
        ["DOWNTOWN"] = "Downtown", ["MARINA"] = "Dubai Marina", ["JLT"] = "JLT", ["JVC"] = "JVC", ["PALM"] = "Palm Jumeirah",
        ["BUSINESSBAY"] = "Business Bay", ["DUBAIHILLS"] = "Dubai Hills", ["ARABIANRANCHES"] = "Arabian Ranches", ["DIFC"] = "DIFC",
        ["ALBARSHA"] = "Al Barsha", ["CREEK"] = "Dubai Creek Harbour", ["JBR"] = "JBR",
    };

    private static readonly (string Code, string[] Kinds)[] PropertyTypes =
    [
        ("APT", ["Studio", "1BR Apartment", "2BR", "3BR Apartment"]),
        ("VIL", ["4BR Villa", "5BR Villa", "3BR Villa"]),
        ("TWN", ["3BR Townhouse", "4BR Townhouse"]),
        ("PH", ["Penthouse", "4BR Penthouse"]),
        ("OFF", ["Office", "Fitted Office"]),
    ];

    private static readonly string[] Adjectives = ["Luxury", "Spacious", "Bright", "Upgraded", "Brand New", "Furnished", "Vacant", "Sea View", "Corner"];

    private static readonly string[] Domains = ["gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "emirates.net.ae", "live.com"];

    private static readonly string[] MobilePrefixes = ["50", "52", "54", "55", "56", "58"];

    private static readonly string[] Messages =
    [
        "I am interested in this apartment, please call me.",
        "Is {ref} still available?",
        "Can I view this property this weekend?",
        "What is the final price? Is it negotiable?",
        "Hi, please send me more photos and the floor plan.",
        "Are pets allowed? Looking to move next month.",
        "Interested. Please contact me on WhatsApp.",
        "What are the service charges for this unit?",
        "Hello, I would like to know the payment plan options.",
        "Is this available for a 12-cheque rent?",
    ];

    private readonly int _seed;
    private readonly LeadListing[] _listings;
    private readonly LeadAgent[] _agents;

    public LeadGenerator(int seed)
    {
        _seed = seed;
        var faker = NewFaker(seed);
        _agents = Enumerable.Range(0, 25).Select(i => new LeadAgent(1_000 + (i * 7), $"{faker.Name.FirstName()} {faker.Name.LastName()}")).ToArray();
        _listings = Enumerable.Range(0, 200).Select(i => NewListing(faker, i)).ToArray();
    }

    public IReadOnlyList<LeadListing> Listings => _listings;

    public IReadOnlyList<LeadAgent> Agents => _agents;

    /// <summary>The seeded leads, ordered by createdAt, numbered from <see cref="FirstLeadNumber"/> in that order.</summary>
    public List<Lead> Generate(int count, Uri recordingBase)
    {
        var faker = NewFaker(unchecked((_seed * 31) + 17));
        var span = TimeSpan.FromDays(180).TotalSeconds;
        var times = Enumerable.Range(0, count)
            .Select(_ => Epoch.AddSeconds(-faker.Random.Double(0, span)))
            .Select(t => new DateTime(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc))
            .Order()
            .ToArray();
        return times.Select((t, i) => NewLead(faker, FirstLeadNumber + i, t, null, recordingBase)).ToList();
    }

    /// <summary>A lead for the admin surface: fields not given are generated (deterministically per number).</summary>
    public Lead Complete(long number, DateTime createdAt, LeadDraft draft, Uri recordingBase)
    {
        var faker = NewFaker(unchecked((_seed * 1_000_003) + (int)number));
        var generated = NewLead(faker, number, createdAt, LeadChannels.Normalize(draft.Channel), recordingBase);
        return generated with
        {
            Name = draft.Name ?? generated.Name,
            Email = draft.Email ?? generated.Email,
            Phone = draft.Phone ?? generated.Phone,
            Message = draft.Message ?? generated.Message,
            Listing = draft.Listing ?? generated.Listing,
            AssignedTo = draft.AssignedTo ?? generated.AssignedTo,
            CallRecordingUrl = draft.CallRecordingUrl ?? generated.CallRecordingUrl,
        };
    }

    private static Faker NewFaker(int seed) => new("en") { Random = new Randomizer(seed) };

    private Lead NewLead(Faker f, long number, DateTime createdAt, string? channel, Uri recordingBase)
    {
        channel ??= f.Random.WeightedRandom([LeadChannels.Email, LeadChannels.WhatsApp, LeadChannels.Call, LeadChannels.Chat], [0.4f, 0.3f, 0.2f, 0.1f]);
        var arab = f.Random.Bool(0.45f);
        var first = arab ? f.PickRandom(ArabFirstNames) : f.Name.FirstName();
        var last = arab ? f.PickRandom(ArabLastNames) : f.Name.LastName();
        var listing = f.PickRandom(_listings);
        var id = $"lead_{number}";

        // Which contact details exist depends on how the lead arrived (docs: email for email/chat, phone for
        // whatsapp/call); call leads sometimes carry a recording and rarely a message.
        var email = channel switch
        {
            LeadChannels.Email => Email(f, first, last),
            LeadChannels.Chat => f.Random.Bool(0.8f) ? Email(f, first, last) : null,
            _ => null,
        };
        var phone = channel switch
        {
            LeadChannels.WhatsApp or LeadChannels.Call => Phone(f),
            _ => f.Random.Bool(0.6f) ? Phone(f) : null,
        };
        var message = channel == LeadChannels.Call ? null : f.PickRandom(Messages).Replace("{ref}", listing.Reference, StringComparison.Ordinal);
        var recording = channel == LeadChannels.Call && f.Random.Bool(0.85f) ? new Uri(recordingBase, $"{id}.mp3") : null;
        return new Lead(id, $"{first} {last}", email, phone, message, channel, createdAt, listing, f.PickRandom(_agents), recording) { Number = number };
    }

    private static LeadListing NewListing(Faker f, int i)
    {
        var (code, kinds) = f.PickRandom(PropertyTypes);
        var area = f.PickRandom(Areas);
        var title = $"{f.PickRandom(Adjectives)} {f.PickRandom(kinds)} in {AreaTitles[area]}";
        return new LeadListing(550_000 + (i * 13), $"{code}-{area}-{f.Random.Number(1, 3999)}", title);
    }

    private static string Email(Faker f, string first, string last)
    {
        var local = f.Random.Number(3) switch
        {
            0 => $"{first}.{last}",
            1 => $"{first}{f.Random.Number(1, 99)}",
            2 => $"{first[0]}{last}",
            _ => $"{last}_{first}",
        };
        local = local.Replace(" ", "", StringComparison.Ordinal);
        // Most people type lower case; some do not.
        local = f.Random.Bool(0.8f) ? local.ToLowerInvariant() : local;
        return $"{local}@{f.PickRandom(Domains)}";
    }

    /// <summary>UAE mobiles in the formats seen in the wild, and the odd foreign number.</summary>
    private static string Phone(Faker f)
    {
        if (f.Random.Bool(0.08f))
        {
            return f.Random.Bool() ? $"+44 7{f.Random.Number(100, 999)} {f.Random.Number(100000, 999999)}" : $"+91 9{f.Random.Number(1000, 9999)} {f.Random.Number(10000, 99999)}";
        }

        var prefix = f.PickRandom(MobilePrefixes);
        var a = f.Random.Number(100, 999);
        var b = f.Random.Number(1000, 9999);
        return f.Random.Number(4) switch
        {
            0 => $"+971 {prefix} {a} {b}",
            1 => $"0{prefix}-{a}{b}",
            2 => $"+971{prefix}{a}{b}",
            3 => $"00971{prefix}{a}{b}",
            _ => $"0{prefix} {a} {b}",
        };
    }
}

/// <summary>What the admin surface may set on a new lead; anything left out is generated.</summary>
public sealed record LeadDraft(
    string? Name = null,
    string? Email = null,
    string? Phone = null,
    string? Message = null,
    string? Channel = null,
    DateTimeOffset? CreatedAt = null,
    LeadListing? Listing = null,
    LeadAgent? AssignedTo = null,
    Uri? CallRecordingUrl = null);
