using System.Security.Cryptography;
using System.Text;
using Hub.Sandbox.Webhooks;

namespace Hub.Sandbox.Tests.Webhooks;

public sealed class StandardWebhookSignerTests
{
    [Fact]
    public void Signatures_match_the_Standard_Webhooks_published_test_vector()
    {
        var signature = StandardWebhookSigner.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""");
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void New_secrets_have_the_whsec_prefix_and_a_base64_key()
    {
        var secret = StandardWebhookSigner.NewSecret();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
    }

    [Fact]
    public void A_secret_without_the_whsec_prefix_is_used_as_its_UTF8_bytes()
    {
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("pf-sandbox-webhook-secret"), Encoding.UTF8.GetBytes("msg_1.1614265330.{}")));

        Assert.Equal(expected, StandardWebhookSigner.Sign("pf-sandbox-webhook-secret", "msg_1", 1614265330, "{}"));
    }
}
