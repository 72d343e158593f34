using System.Net;
using System.Text;
using Hub.Sandbox.Faults;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Sandbox.Tests.Propstreet;

/// <summary>Every Propstreet error is problem+json with a urn:propstreet:error type and a detail saying what to fix.</summary>
public sealed class ProblemsTests(PropstreetSandbox sandbox) : IClassFixture<PropstreetSandbox>
{
    public static TheoryData<bool, string, string, string?, string?, int, string> Errors => new()
    {
        // Authentication comes first, whatever else is wrong with the request.
        { false, "POST", "/api/v1/network/contacts", "application/json", "{not json", 401, "unauthorized" },
        { false, "POST", "/api/v1/webhooks", "application/json", "{\"url\":5}", 401, "unauthorized" },
        { false, "GET", "/api/v1/no-such-thing", null, null, 401, "unauthorized" },
        { false, "DELETE", "/api/v1/network/companies/50001", null, null, 401, "unauthorized" },
        { true, "GET", "/api/v1/no-such-thing", null, null, 404, "not-found" },
        { true, "GET", "/api/v1/network/contacts/abc", null, null, 404, "not-found" },
        { true, "DELETE", "/api/v1/network/companies/50001", null, null, 405, "method-not-allowed" },
        { true, "POST", "/api/v1/webhooks", "application/json", "{not json", 400, "validation-error" },
        { true, "POST", "/api/v1/webhooks", "application/json", """{"url":5,"events":"contact.created"}""", 400, "validation-error" },
        { true, "POST", "/api/v1/webhooks", "text/plain", """{"url":"http://127.0.0.1:9/x","events":["contact.created"]}""", 415, "unsupported-media-type" },
        { true, "POST", "/api/v1/network/contacts", "text/plain", """{"firstName":"Plain"}""", 415, "unsupported-media-type" },
        { true, "POST", "/api/v1/projects", "text/plain", """{"name":"Plain"}""", 415, "unsupported-media-type" },
        { true, "PATCH", "/api/v1/network/contacts/external/hubspot/plain-1", "text/plain", """{"firstName":"Plain"}""", 415, "unsupported-media-type" },
        { true, "POST", "/api/v1/network/contacts", null, null, 400, "validation-error" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Errors_are_problem_json_with_a_propstreet_type_and_a_detail(
        bool withToken, string method, string path, string? contentType, string? body, int status, string code)
    {
        var client = withToken ? sandbox.ClientFor() : sandbox.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);

        var response = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadObjectAsync();
        Assert.Equal($"urn:propstreet:error:{code}", problem.Str("type"));
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));
    }

    [Fact]
    public async Task A_write_refused_for_its_content_type_creates_nothing()
    {
        var client = sandbox.ClientFor();
        var name = "Plain " + Guid.NewGuid().ToString("N");
        await client.PostAsync("/api/v1/projects", new StringContent($$"""{"name":"{{name}}"}""", Encoding.UTF8, "text/plain"));
        Assert.DoesNotContain(await Json.WalkAsync(client, "/api/v1/projects"), p => p.Str("name") == name);
    }

    [Theory]
    [InlineData(1.0, 0.0, "server-error|service-unavailable")]
    [InlineData(0.0, 1.0, "rate-limited")]
    public async Task Injected_faults_on_Propstreet_paths_carry_a_propstreet_type_too(double serverErrorShare, double tooManyShare, string codes)
    {
        await using var faulty = PropstreetSandbox.With(new Dictionary<string, string?> { ["Sandbox:Sizes:Contacts"] = "10" });
        faulty.Services.GetRequiredService<FaultSwitch>().Set(FaultProfile.None with { ServerErrorShare = serverErrorShare, TooManyRequestsShare = tooManyShare });

        for (var i = 0; i < 5; i++)
        {
            var response = await faulty.ClientFor().GetAsync("/api/v1/network/contacts");
            var problem = await response.ReadObjectAsync();
            Assert.Matches($"^urn:propstreet:error:({codes})$", problem.Str("type"));
            Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));
        }
    }
}
