using System.Net.Http.Headers;
using System.Text;

namespace Hub.Testing;

/// <summary>
/// A virtual host of its own on the test RabbitMQ node, deleted on dispose, so a test class's queues, exchanges and
/// messages never meet another's. Made through the management API with the node's own credentials.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private RabbitMqVirtualHost(string name, Uri amqp, HttpClient management)
    {
        Name = name;
        Amqp = amqp;
        _management = management;
    }

    public string Name { get; }

    /// <summary>AMQP URI of this virtual host (what <c>ConnectionStrings:RabbitMq</c> takes).</summary>
    public Uri Amqp { get; }

    public static async Task<RabbitMqVirtualHost> CreateAsync(string purpose)
    {
        var node = TestServers.RabbitMq;
        var name = $"t_{new string(purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(24).ToArray())}_{Guid.NewGuid():N}";
        var management = new HttpClient { BaseAddress = TestServers.RabbitMqManagement };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(node.UserInfo))));

        var user = Uri.UnescapeDataString(node.UserInfo.Split(':')[0]);
        using (var created = await management.PutAsync(new Uri($"api/vhosts/{name}", UriKind.Relative), null))
            created.EnsureSuccessStatusCode();
        using (var permitted = await management.PutAsync(
            new Uri($"api/permissions/{name}/{Uri.EscapeDataString(user)}", UriKind.Relative),
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))
            permitted.EnsureSuccessStatusCode();

        var amqp = new UriBuilder(node) { Path = "/" + Uri.EscapeDataString(name) }.Uri;
        return new RabbitMqVirtualHost(name, amqp, management);
    }

    public async ValueTask DisposeAsync()
    {
        using (await _management.DeleteAsync(new Uri($"api/vhosts/{Name}", UriKind.Relative)))
        {
            // Best effort: a vhost left behind dies with the test node.
        }

        _management.Dispose();
    }
}
