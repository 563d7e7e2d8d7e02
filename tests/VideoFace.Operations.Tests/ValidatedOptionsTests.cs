using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using VideoFace.Hosting;
using VideoFace.Hosting.Telemetry;

namespace VideoFace.Operations.Tests;

/// <summary>AddValidatedOptions: bound now and for IOptions, validated at build and at start, failures naming the key.</summary>
public sealed class ValidatedOptionsTests
{
    [Fact]
    public void BadValue_ThrowsNamingTheKey()
    {
        var builder = Builder(("VideoFace:Telemetry:TraceSampling", "2"));
        var ex = Assert.Throws<OptionsValidationException>(() =>
            builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate()));
        Assert.Contains("VideoFace:Telemetry:TraceSampling", ex.Message);
    }

    [Fact]
    public void Unconvertible_ThrowsNamingTheSection()
    {
        var builder = Builder(("VideoFace:Telemetry:TraceSampling", "lots"));
        var ex = Assert.Throws<OptionsValidationException>(() =>
            builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate()));
        Assert.Contains("VideoFace:Telemetry", ex.Message);
        Assert.Contains("TraceSampling", ex.Message);
    }

    [Fact]
    public async Task Good_BoundForIOptions_AndValidatedAtStart()
    {
        var builder = Builder(("VideoFace:Telemetry:OtlpEndpoint", "http://collector:4317"));
        var now = builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate(),
            fill: o => o.TraceSampling = 0.5);
        Assert.Equal("http://collector:4317", now.OtlpEndpoint);
        using var host = builder.Build();
        await host.StartAsync();
        var bound = host.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        Assert.Equal("http://collector:4317", bound.OtlpEndpoint);
        Assert.Equal(0.5, bound.TraceSampling);
        Assert.Contains(host.Services.GetServices<IValidateOptions<TelemetryOptions>>(), v => v.Validate(null, new TelemetryOptions { TraceSampling = -1 }).Failed);
        await host.StopAsync();
    }

    [Fact]
    public async Task ChangedAfterBuild_FailsAtStartNamingTheKey()
    {
        var builder = Builder();
        builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName, o => o.Validate());
        // a later configuration source (as a test or a host might add) makes the value bad: ValidateOnStart catches it
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["VideoFace:Telemetry:OtlpEndpoint"] = "ftp://x" });
        using var host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("VideoFace:Telemetry:OtlpEndpoint", ex.Message);
    }

    private static HostApplicationBuilder Builder(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return builder;
    }
}
