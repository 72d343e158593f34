using System.Net;
using System.Text;

namespace Hub.Sandbox.Tests.Propstreet.Paging;

public sealed class ContactPagingTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    [Fact]
    public async Task Walk_returns_every_unchanged_contact_once_and_every_mutated_one_at_its_newest_version_while_a_writer_mutates()
    {
        var client = sandbox.ClientFor();
        var control = sandbox.Control();
        var before = await Json.WalkAsync(client, "/api/v1/network/contacts?page_size=500");
        var ids = before.Select(c => c.Str("id")).ToList();

        // Between page requests, edit contacts the walk has already passed and ones it has not reached yet.
        var latestEtag = new Dictionary<string, string>();
        var walk = await Json.WalkAsync(client, "/api/v1/network/contacts?page_size=100", async page =>
        {
            foreach (var id in new[] { ids[page * 37 % ids.Count], ids[(page * 53 + 600) % ids.Count], ids[^(page + 1)] })
            {
                var response = await control.PatchAsync($"/_sandbox/propstreet/contacts/{id}", Json.Body(new { strategy = $"edit {page}" }));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                latestEtag[id] = (await response.ReadObjectAsync()).Str("etag");
            }
        });

        Assert.NotEmpty(latestEtag);
        var seen = walk.GroupBy(c => c.Str("id")).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(ids.Order(), seen.Keys.Order());
        foreach (var (id, versions) in seen)
        {
            if (latestEtag.TryGetValue(id, out var etag))
                Assert.Equal(etag, versions[^1].Str("etag"));
            else
                Assert.Single(versions);
        }
    }

    [Fact]
    public async Task Delta_with_include_deleted_returns_updates_and_deletions_since_a_timestamp()
    {
        var client = sandbox.ClientFor();
        var control = sandbox.Control();
        var ids = (await Json.WalkAsync(client, "/api/v1/network/contacts?page_size=500")).Select(c => c.Str("id")).Take(3).ToList();

        var first = await (await control.PatchAsync($"/_sandbox/propstreet/contacts/{ids[0]}", Json.Body(new { lastName = "Delta" }))).ReadObjectAsync();
        var checkpoint = first.Str("updatedUtc");
        Assert.Equal(HttpStatusCode.NoContent, (await control.DeleteAsync($"/_sandbox/propstreet/contacts/{ids[1]}")).StatusCode);
        await control.PatchAsync($"/_sandbox/propstreet/contacts/{ids[2]}", Json.Body(new { firstName = "Changed" }));

        var delta = await Json.WalkAsync(client, $"/api/v1/network/contacts?updated_since={Uri.EscapeDataString(checkpoint)}&include_deleted=true");
        var byId = delta.ToDictionary(c => c.Str("id"));
        Assert.Contains(ids[0], byId.Keys); // updated_since is inclusive
        Assert.NotNull(byId[ids[1]]["deletedUtc"]);
        Assert.Null(byId[ids[2]]["deletedUtc"]);
        Assert.All(delta, c => Assert.True(Utc(c.Str("updatedUtc")) >= Utc(checkpoint)));

        var withoutDeleted = await Json.WalkAsync(client, $"/api/v1/network/contacts?updated_since={Uri.EscapeDataString(checkpoint)}");
        Assert.DoesNotContain(withoutDeleted, c => c.Str("id") == ids[1]);
        Assert.Contains(withoutDeleted, c => c.Str("id") == ids[2]);
    }

    [Fact]
    public async Task Five_hundred_contacts_sharing_one_updatedUtc_across_a_page_boundary_are_all_returned_once()
    {
        var client = sandbox.ClientFor();
        var touched = await (await sandbox.Control().PostAsync("/_sandbox/propstreet/contacts:bulk-touch", Json.Body(new { count = 500 }))).ReadObjectAsync();
        var stamp = touched.Str("updatedUtc");
        var expected = touched["ids"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(500, expected.Count);

        foreach (var pageSize in new[] { 200, 499 })
        {
            var walk = await Json.WalkAsync(client, $"/api/v1/network/contacts?updated_since={Uri.EscapeDataString(stamp)}&page_size={pageSize}");
            var tied = walk.Where(c => c.Str("updatedUtc") == stamp).Select(c => c.Str("id")).ToList();
            Assert.Equal(expected.Order(), tied.Order());
            Assert.Equal(walk.Count, walk.Select(c => c.Str("id")).Distinct().Count());
        }
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("page_size=0")]
    [InlineData("page_size=501")]
    [InlineData("page_size=ten")]
    [InlineData("cursor=not-a-cursor!")]
    [InlineData("cursor=bm90IGpzb24=")] // base64 of "not json"
    [InlineData("updated_since=yesterday")]
    [InlineData("updated_since=2025-13-45T10:00:00Z")]
    [InlineData("include_deleted=maybe")]
    public async Task Invalid_list_parameters_are_refused_with_400_problem_json(string query)
    {
        foreach (var path in new[] { "/api/v1/network/contacts", "/api/v1/projects", "/api/v1/network/companies" })
        {
            var response = await sandbox.ClientFor().GetAsync($"{path}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.ReadObjectAsync();
            Assert.StartsWith("urn:propstreet:error:", problem.Str("type"), StringComparison.Ordinal);
            Assert.Equal(400, problem["status"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task The_cursor_is_base64_of_updatedUtc_and_id_of_the_last_record()
    {
        var body = await (await sandbox.ClientFor().GetAsync("/api/v1/network/contacts?page_size=3")).ReadObjectAsync();
        var last = body["data"]!.AsArray()[^1]!;
        var cursor = Encoding.UTF8.GetString(Convert.FromBase64String(body["page"]!.Str("nextCursor")));
        Assert.Contains($"\"i\":{last.Str("id")}", cursor, StringComparison.Ordinal);
        Assert.Matches("""^\{"u":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z","i":\d+\}$""", cursor);
        Assert.Equal(3, body["page"]!["pageSize"]!.GetValue<int>());
    }

    [Fact]
    public async Task Page_pageSize_is_the_number_of_records_returned_not_the_size_asked_for()
    {
        var client = sandbox.ClientFor();
        var all = await Json.WalkAsync(client, "/api/v1/network/contacts");
        var lastOf = all[^3];
        var cursor = Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"u":"{{Utc(lastOf.Str("updatedUtc")).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}}","i":{{lastOf.Str("id")}}}"""));

        var tail = await (await client.GetAsync($"/api/v1/network/contacts?page_size=50&cursor={Uri.EscapeDataString(cursor)}")).ReadObjectAsync();

        Assert.Equal(2, tail["data"]!.AsArray().Count);
        Assert.Equal(2, tail["page"]!["pageSize"]!.GetValue<int>());
        Assert.False(tail["page"]!["hasMore"]!.GetValue<bool>());
    }
}
