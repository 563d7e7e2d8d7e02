using System.Net;
using VideoFace.Storage.Azure;
using VideoFace.Testing;

namespace VideoFace.Storage.Tests;

/// <summary>One Azurite (blob service on loopback) for all Azure blob store tests of a class.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vf-azurite-").FullName;

    public Azurite Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await Azurite.StartAsync(_folder);

    public async Task DisposeAsync()
    {
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}

/// <summary>The blob store contract on Azure Blob Storage (Azurite); read URLs are SAS URLs fetched over HTTP.</summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContract, IClassFixture<AzuriteFixture>
{
    private static readonly HttpClient Http = new();
    private static int _containers;

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new AzureBlobStore(azurite.Azurite.ConnectionString, $"test-{Interlocked.Increment(ref _containers)}", time: Clock));

    protected override async Task<(byte[] Content, string ContentType)?> ReadThroughUrlAsync(string url)
    {
        Assert.StartsWith($"http://127.0.0.1:{azurite.Azurite.BlobPort}/", url);
        using var r = await Http.GetAsync(url);
        if (r.StatusCode == HttpStatusCode.Forbidden) return null;
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadAsByteArrayAsync(), r.Content.Headers.ContentType!.MediaType!);
    }

    [Fact]
    public async Task ReadUrl_IsReadOnly_CannotOverwrite()
    {
        await Store.PutAsync("thumbnails/cam1/u.jpg", Images.Jpeg(7), "image/jpeg");
        var url = Store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.FromMinutes(10));
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(Images.Text()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var r = await Http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal(Images.Jpeg(7), (await Store.GetAsync("thumbnails/cam1/u.jpg"))!.Value.Content);
    }

    [Fact]
    public void ReadUrl_OnPublicEndpoint_KeepsPathAndSignature()
    {
        var store = new AzureBlobStore(azurite.Azurite.ConnectionString, "test-public", new Uri("http://localhost:10000/devstoreaccount1"));
        var url = store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.FromMinutes(10));
        Assert.StartsWith("http://localhost:10000/devstoreaccount1/test-public/thumbnails/cam1/u.jpg?", url);
        Assert.Contains("sig=", url);
        Assert.Contains("sp=r", url);
    }

    [Fact]
    public void Constructor_ConnectionStringWithoutAccountKey_SaysWhy()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new AzureBlobStore(
            $"BlobEndpoint=http://127.0.0.1:{azurite.Azurite.BlobPort}/devstoreaccount1;SharedAccessSignature=sv=2020-08-04&sig=x", "c1c"));
        Assert.Contains("AccountKey", ex.Message);
    }
}
