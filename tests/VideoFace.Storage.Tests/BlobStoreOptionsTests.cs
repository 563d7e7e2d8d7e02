using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoFace.Hosting;
using VideoFace.Storage.Azure;

namespace VideoFace.Storage.Tests;

/// <summary>VideoFace:Blobs picks the store per profile and fails at start naming the bad key.</summary>
public sealed class BlobStoreOptionsTests
{
    private const string DevConnection = "UseDevelopmentStorage=true";

    private static VideoFaceHostOptions Cluster() => new() { Profile = HostingProfile.Cluster, AzureStorageConnectionString = DevConnection };

    [Fact]
    public void Embedded_Default_IsLocalFolderUnderData()
    {
        var host = new VideoFaceHostOptions { DataDirectory = "/tmp/vf-data" };
        var blobs = new BlobStoreOptions();
        Assert.Empty(blobs.Validate(host));
        Assert.Equal(BlobStoreProvider.Local, blobs.EffectiveProvider(host));
        Assert.Equal(Path.Combine("/tmp/vf-data", "blobs"), blobs.EffectiveLocalDirectory(host));
        Assert.Equal(Path.Combine("/tmp/vf-data", BlobUrlSigner.KeyFileName), blobs.SigningKeyFile(host));
    }

    [Fact]
    public void Cluster_Default_IsAzureOnTheClusterConnectionString()
    {
        var services = new ServiceCollection().AddVideoFaceBlobs(Cluster(), new BlobStoreOptions()).BuildServiceProvider();
        var store = Assert.IsType<AzureBlobStore>(services.GetRequiredService<IBlobStore>());
        Assert.Equal("videoface", store.ContainerName);
        Assert.StartsWith("http://127.0.0.1:10000/devstoreaccount1/videoface/thumbnails/c/t.jpg?", store.GetReadUrl("thumbnails/c/t.jpg", TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Cluster_LocalWithoutFolder_NamesTheKey()
    {
        var errors = new BlobStoreOptions { Provider = BlobStoreProvider.Local }.Validate(Cluster());
        Assert.Contains(errors, e => e.Contains("VideoFace:Blobs:LocalDirectory", StringComparison.Ordinal));
    }

    [Fact]
    public void Cluster_LocalSharedFolder_KeepsItsSigningKeyBesideTheFolder()
    {
        var blobs = new BlobStoreOptions { Provider = BlobStoreProvider.Local, LocalDirectory = "/mnt/share/blobs" };
        Assert.Empty(blobs.Validate(Cluster()));
        Assert.Equal(Path.Combine("/mnt/share", BlobUrlSigner.KeyFileName), blobs.SigningKeyFile(Cluster()));
    }

    [Theory]
    [InlineData("Container", "Bad_Name")]
    [InlineData("ReadUrlTtl", "0")]
    [InlineData("SigningKey", "c2hvcnQ=")]
    [InlineData("PublicBlobEndpoint", "not a url")]
    public void BadSetting_NamesTheKey(string key, string value)
    {
        var blobs = new BlobStoreOptions();
        switch (key)
        {
            case "Container": blobs.Container = value; break;
            case "ReadUrlTtl": blobs.ReadUrlTtl = TimeSpan.Zero; break;
            case "SigningKey": blobs.SigningKey = value; break;
            default: blobs.PublicBlobEndpoint = value; break;
        }
        Assert.Contains(blobs.Validate(Cluster()), e => e.StartsWith($"VideoFace:Blobs:{key}", StringComparison.Ordinal));
    }

    [Fact]
    public void Azure_ConnectionStringWithoutKey_FailsAtRegistrationNamingTheKey()
    {
        var blobs = new BlobStoreOptions { AzureConnectionString = "BlobEndpoint=http://127.0.0.1:1/acct;SharedAccessSignature=sv=2020-08-04&sig=x" };
        var ex = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddVideoFaceBlobs(Cluster(), blobs));
        Assert.Contains("VideoFace:Blobs:AzureConnectionString", ex.Message);
    }
}
