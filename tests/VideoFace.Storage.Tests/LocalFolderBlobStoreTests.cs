using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace VideoFace.Storage.Tests;

/// <summary>The blob store contract on the local folder store; its read URLs are checked with its signer, as the API does.</summary>
public sealed class LocalFolderBlobStoreTests : BlobStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vf-blobs-").FullName;
    private LocalFolderBlobStore? _local;

    protected override Task<IBlobStore> CreateStoreAsync()
    {
        _local = new LocalFolderBlobStore(Path.Combine(_folder, "blobs"), new BlobUrlSigner(RandomNumberGenerator.GetBytes(32), Clock));
        return Task.FromResult<IBlobStore>(_local);
    }

    protected override async Task<(byte[] Content, string ContentType)?> ReadThroughUrlAsync(string url)
    {
        Assert.StartsWith(BlobUrlSigner.RoutePrefix, url);
        var q = url.IndexOf('?', StringComparison.Ordinal);
        var key = url[BlobUrlSigner.RoutePrefix.Length..q];
        var query = QueryHelpers.ParseQuery(url[q..]);
        if (!_local!.Signer.Verify(key, query["exp"].ToString(), query["sig"].ToString())) return null;
        return await _local.GetAsync(key);
    }

    [Fact]
    public async Task Files_OnlyBlobsAreListed_NotTypeSidecars()
    {
        await Store.PutAsync("thumbnails/c/1.jpg", Images.Jpeg(), "image/jpeg");
        Assert.True(File.Exists(Path.Combine(_folder, "blobs", "thumbnails", "c", "1.jpg.type")));
        var keys = new List<string>();
        await foreach (var b in Store.ListAsync()) keys.Add(b.Key);
        Assert.Equal(["thumbnails/c/1.jpg"], keys);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync("thumbnails/c/1.jpg.type"));
    }

    [Fact]
    public async Task DeleteOlderThan_UsesTheFilesWriteTime()
    {
        await Store.PutAsync("thumbnails/c/old.jpg", Images.Jpeg(1), "image/jpeg");
        await Store.PutAsync("thumbnails/c/new.jpg", Images.Jpeg(2), "image/jpeg");
        File.SetLastWriteTimeUtc(Path.Combine(_folder, "blobs", "thumbnails", "c", "old.jpg"), DateTime.UtcNow.AddDays(-40));
        Assert.Equal(1, await Store.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddDays(-30)));
        Assert.Null(await Store.GetAsync("thumbnails/c/old.jpg"));
        Assert.NotNull(await Store.GetAsync("thumbnails/c/new.jpg"));
        Assert.False(File.Exists(Path.Combine(_folder, "blobs", "thumbnails", "c", "old.jpg.type")));
    }

    [Fact]
    public void SigningKey_GeneratedOnceOwnerOnly_ThenReused()
    {
        var path = Path.Combine(_folder, "data", BlobUrlSigner.KeyFileName);
        var first = BlobUrlSigner.LoadOrCreateKey(path);
        Assert.Equal(BlobUrlSigner.KeyBytes, first.Length);
        Assert.Equal(first, BlobUrlSigner.LoadOrCreateKey(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        // a URL signed by one signer verifies with another made from the same key file (a restarted or sibling silo)
        var url = new BlobUrlSigner(first).SignedUrl("thumbnails/c/1.jpg", TimeSpan.FromMinutes(1));
        var query = QueryHelpers.ParseQuery(url[url.IndexOf('?', StringComparison.Ordinal)..]);
        Assert.True(new BlobUrlSigner(BlobUrlSigner.LoadOrCreateKey(path)).Verify("thumbnails/c/1.jpg", query["exp"], query["sig"]));
        Assert.False(new BlobUrlSigner(RandomNumberGenerator.GetBytes(32)).Verify("thumbnails/c/1.jpg", query["exp"], query["sig"]));
    }

    [Theory]
    [InlineData(null, "abc")]
    [InlineData("notanumber", "abc")]
    [InlineData("99999999999", null)]
    [InlineData("99999999999", "!!not base64!!")]
    public void Verify_MalformedParameters_IsFalse(string? exp, string? sig) =>
        Assert.False(new BlobUrlSigner(RandomNumberGenerator.GetBytes(32)).Verify("thumbnails/c/1.jpg", exp, sig));

    [Fact]
    public void Verify_ExtendedExpiry_IsFalse()
    {
        var signer = new BlobUrlSigner(RandomNumberGenerator.GetBytes(32));
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var sig = signer.Sign("thumbnails/c/1.jpg", exp);
        Assert.True(signer.Verify("thumbnails/c/1.jpg", exp.ToString(System.Globalization.CultureInfo.InvariantCulture), sig));
        Assert.False(signer.Verify("thumbnails/c/1.jpg", (exp + 86400).ToString(System.Globalization.CultureInfo.InvariantCulture), sig));
    }

    public override Task DisposeAsync()
    {
        try { Directory.Delete(_folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
