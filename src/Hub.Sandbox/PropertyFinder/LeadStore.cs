using Hub.Sandbox.Hosting;
using Microsoft.Extensions.Options;

namespace Hub.Sandbox.PropertyFinder;

/// <summary>
/// Property Finder's leads in memory, kept ordered by createdAt then number — the order <c>GET /v1/leads</c> pages
/// in. One lock guards everything: a few thousand records make every operation cheap, and readers get a
/// consistent snapshot of a page and its total.
/// </summary>
public sealed class LeadStore
{
    private static readonly IComparer<Lead> Order = Comparer<Lead>.Create((a, b) =>
    {
        var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
        return byTime != 0 ? byTime : a.Number.CompareTo(b.Number);
    });

    private readonly Lock _gate = new();
    private readonly PropertyFinderOptions _options;
    private readonly TimeProvider _clock;
    private List<Lead> _leads = [];
    private LeadGenerator _generator;
    private long _nextNumber;

    public LeadStore(IOptions<SandboxOptions> sandbox, IOptions<PropertyFinderOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _generator = new LeadGenerator(sandbox.Value.Seed);
        Reseed(sandbox.Value.Seed, sandbox.Value.Sizes.Leads);
    }

    public void Reseed(int seed, int count)
    {
        var generator = new LeadGenerator(seed);
        var leads = generator.Generate(count, _options.RecordingBaseUrl);
        lock (_gate)
        {
            _generator = generator;
            _leads = leads;
            _nextNumber = LeadGenerator.FirstLeadNumber + count;
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _leads.Count;
            }
        }
    }

    /// <summary>One page of leads created strictly after <paramref name="since"/>, plus the total that match.</summary>
    public (IReadOnlyList<Lead> Page, int Total) Query(DateTime? since, string? channel, int page, int perPage)
    {
        lock (_gate)
        {
            var start = since is { } s ? FirstAfter(s) : 0;
            IEnumerable<Lead> matching = _leads.Skip(start);
            if (channel is not null)
            {
                matching = matching.Where(l => l.Channel == channel);
            }

            var all = matching.ToList();
            var skip = (long)(page - 1) * perPage;
            var items = skip >= all.Count ? [] : all.GetRange((int)skip, Math.Min(perPage, all.Count - (int)skip));
            return (items, all.Count);
        }
    }

    public Lead? Find(string id)
    {
        lock (_gate)
        {
            return _leads.Find(l => l.Id == id);
        }
    }

    /// <summary>Adds a lead stamped with the sandbox clock (so clock skew shows) unless the draft backdates it.</summary>
    public Lead Create(LeadDraft draft)
    {
        var createdAt = (draft.CreatedAt ?? _clock.GetUtcNow()).UtcDateTime;
        // Whole seconds, as the docs' createdAt ("2025-12-19T10:30:00Z") and the seeded leads: one format per feed.
        // Leads within one second then tie, which is what makes an exclusive `since` lossy for a poller (docs/sandbox.md).
        createdAt = new DateTime(createdAt.Ticks - (createdAt.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        lock (_gate)
        {
            var lead = _generator.Complete(_nextNumber++, createdAt, draft, _options.RecordingBaseUrl);
            Insert(lead);
            return lead;
        }
    }

    /// <summary>Replaces the fields the patch sets; id, channel and createdAt stay (Property Finder has no updatedAt).</summary>
    public Lead? Update(string id, LeadPatch patch)
    {
        lock (_gate)
        {
            var index = _leads.FindIndex(l => l.Id == id);
            if (index < 0)
            {
                return null;
            }

            var lead = _leads[index];
            var updated = lead with
            {
                Name = patch.Name ?? lead.Name,
                Email = patch.Email ?? lead.Email,
                Phone = patch.Phone ?? lead.Phone,
                Message = patch.Message ?? lead.Message,
                Listing = patch.Listing ?? lead.Listing,
                AssignedTo = patch.AssignedTo ?? lead.AssignedTo,
                CallRecordingUrl = patch.CallRecordingUrl ?? lead.CallRecordingUrl,
            };
            _leads[index] = updated;
            return updated;
        }
    }

    public bool Delete(string id)
    {
        lock (_gate)
        {
            return _leads.RemoveAll(l => l.Id == id) > 0;
        }
    }

    private void Insert(Lead lead)
    {
        var index = _leads.BinarySearch(lead, Order);
        _leads.Insert(index < 0 ? ~index : index, lead);
    }

    private int FirstAfter(DateTime since)
    {
        int lo = 0, hi = _leads.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_leads[mid].CreatedAt <= since)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>Admin update of a lead: fields left null keep their value.</summary>
public sealed record LeadPatch(
    string? Name = null,
    string? Email = null,
    string? Phone = null,
    string? Message = null,
    LeadListing? Listing = null,
    LeadAgent? AssignedTo = null,
    Uri? CallRecordingUrl = null);
