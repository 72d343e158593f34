using System.Net;

namespace Hub.Sandbox.Tests.Propstreet.Paging;

public sealed class ConcurrentWalkTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    [Fact]
    public async Task A_walk_racing_parallel_writers_returns_every_contact_and_every_untouched_contact_exactly_once()
    {
        var client = sandbox.ClientFor();
        var ids = (await Json.WalkAsync(client, "/api/v1/network/contacts")).Select(c => c.Str("id")).ToList();
        var touched = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var writer = sandbox.ClientFor();
            // Bounded, so the walk always reaches the end and no writer runs into the rate limit.
            for (var i = w; i < 400 && !stop.IsCancellationRequested; i += 4)
            {
                var id = ids[i * 7919 % ids.Count];
                touched[id] = true;
                var response = await writer.PatchAsync($"/api/v1/network/contacts/{id}", Json.Body(new { strategy = $"w{w}-{i}" }));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        })).ToList();

        var walk = await Json.WalkAsync(client, "/api/v1/network/contacts?page_size=50");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var seen = walk.GroupBy(c => c.Str("id")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(ids.Order(), seen.Keys.Order());
        Assert.All(seen.Where(s => !touched.ContainsKey(s.Key)), s => Assert.Equal(1, s.Value));
    }
}
