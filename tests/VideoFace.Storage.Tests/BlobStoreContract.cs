namespace VideoFace.Storage.Tests;

/// <summary>What every <see cref="IBlobStore"/> does; run against each store by a subclass.</summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    /// <summary>The store's clock: the real time, shifted by tests to mint already-expired URLs.</summary>
    protected ShiftedClock Clock { get; } = new();

    protected IBlobStore Store { get; private set; } = null!;

    /// <summary>A fresh, empty store using <see cref="Clock"/> for its URLs.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>Reads the blob through its read URL as a client without credentials would; null when refused.</summary>
    protected abstract Task<(byte[] Content, string ContentType)?> ReadThroughUrlAsync(string url);

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PutGetDelete_RoundTripsBytesAndType()
    {
        var jpeg = Images.Jpeg(1);
        await Store.PutAsync("thumbnails/cam1/t1.jpg", jpeg, "image/jpeg");
        var got = await Store.GetAsync("thumbnails/cam1/t1.jpg");
        Assert.NotNull(got);
        Assert.Equal(jpeg, got.Value.Content);
        Assert.Equal("image/jpeg", got.Value.ContentType);

        await Store.PutAsync("thumbnails/cam1/t1.jpg", Images.Png(), "image/png"); // replace
        Assert.Equal("image/png", (await Store.GetAsync("thumbnails/cam1/t1.jpg"))!.Value.ContentType);

        Assert.True(await Store.DeleteAsync("thumbnails/cam1/t1.jpg"));
        Assert.Null(await Store.GetAsync("thumbnails/cam1/t1.jpg"));
        Assert.False(await Store.DeleteAsync("thumbnails/cam1/t1.jpg"));
    }

    [Fact]
    public async Task Get_Missing_IsNull() => Assert.Null(await Store.GetAsync("thumbnails/none/none.jpg"));

    [Theory]
    [InlineData("image/png")]
    [InlineData("image/webp")]
    [InlineData("IMAGE/JPEG; charset=binary")]
    public async Task Put_EachAllowedImageType_IsAccepted(string type)
    {
        byte[] bytes = type.StartsWith("image/png", StringComparison.Ordinal) ? Images.Png() : type == "image/webp" ? Images.Webp() : Images.Jpeg();
        await Store.PutAsync("keyframes/cam1/k.img", bytes, type);
        Assert.Equal(type.Split(';')[0].ToLowerInvariant(), (await Store.GetAsync("keyframes/cam1/k.img"))!.Value.ContentType);
    }

    [Fact]
    public async Task Put_PngBytesDeclaredAsJpeg_IsRefusedSayingWhat()
    {
        var ex = await Assert.ThrowsAsync<BlobContentTypeException>(() => Store.PutAsync("thumbnails/cam1/x.jpg", Images.Png(), "image/jpeg"));
        Assert.Contains("declared image/jpeg but the bytes are image/png", ex.Message);
        Assert.Null(await Store.GetAsync("thumbnails/cam1/x.jpg"));
    }

    [Fact]
    public async Task Put_TextDeclaredAsJpeg_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<BlobContentTypeException>(() => Store.PutAsync("thumbnails/cam1/x.jpg", Images.Text(), "image/jpeg"));
        Assert.Contains("not a recognised image", ex.Message);
        Assert.Null(await Store.GetAsync("thumbnails/cam1/x.jpg"));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("image/svg+xml")]
    [InlineData("")]
    public async Task Put_TypeOutsideTheImageList_IsRefused(string type)
    {
        var ex = await Assert.ThrowsAsync<BlobContentTypeException>(() => Store.PutAsync("thumbnails/cam1/x.jpg", Images.Jpeg(), type));
        Assert.Contains("not allowed", ex.Message);
    }

    [Theory]
    [InlineData("../escape.jpg")]
    [InlineData("thumbnails/../../escape.jpg")]
    [InlineData("/etc/passwd")]
    [InlineData("thumbnails//x.jpg")]
    [InlineData("thumbnails\\x.jpg")]
    [InlineData("thumbnails/x y.jpg")]
    [InlineData("")]
    public async Task Keys_NotPlainRelativePaths_AreRefusedEverywhere(string key)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(key, Images.Jpeg(), "image/jpeg"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(key));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(key));
        Assert.ThrowsAny<ArgumentException>(() => Store.GetReadUrl(key, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task List_ByPrefix_ReturnsOnlyThoseKeys()
    {
        await Store.PutAsync("thumbnails/a/1.jpg", Images.Jpeg(1), "image/jpeg");
        await Store.PutAsync("thumbnails/a/2.jpg", Images.Jpeg(2), "image/jpeg");
        await Store.PutAsync("thumbnails/b/1.jpg", Images.Jpeg(3), "image/jpeg");
        var keys = new List<string>();
        await foreach (var b in Store.ListAsync("thumbnails/a/")) keys.Add(b.Key);
        Assert.Equal(["thumbnails/a/1.jpg", "thumbnails/a/2.jpg"], keys.Order(StringComparer.Ordinal));
        var all = new List<BlobItemInfo>();
        await foreach (var b in Store.ListAsync()) all.Add(b);
        Assert.Equal(3, all.Count);
        Assert.All(all, b => Assert.Equal(Images.Jpeg().Length, b.Size));
    }

    [Fact]
    public async Task DeleteOlderThan_RemovesOnlyOlderBlobsUnderThePrefix()
    {
        await Store.PutAsync("thumbnails/old/1.jpg", Images.Jpeg(1), "image/jpeg");
        await Store.PutAsync("thumbnails/old/2.jpg", Images.Jpeg(2), "image/jpeg");
        await Store.PutAsync("thumbnails/keep/1.jpg", Images.Jpeg(3), "image/jpeg");

        Assert.Equal(0, await Store.DeleteOlderThanAsync(DateTimeOffset.UtcNow - TimeSpan.FromHours(1)));
        Assert.Equal(2, await Store.DeleteOlderThanAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), "thumbnails/old/"));

        Assert.Null(await Store.GetAsync("thumbnails/old/1.jpg"));
        Assert.Null(await Store.GetAsync("thumbnails/old/2.jpg"));
        Assert.NotNull(await Store.GetAsync("thumbnails/keep/1.jpg"));
        Assert.Equal(0, await Store.DeleteOlderThanAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), "thumbnails/none/"));
    }

    [Fact]
    public async Task ReadUrl_Fresh_ReadsTheBlobWithoutCredentials()
    {
        await Store.PutAsync("thumbnails/cam1/u.jpg", Images.Jpeg(7), "image/jpeg");
        var got = await ReadThroughUrlAsync(Store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.FromMinutes(10)));
        Assert.NotNull(got);
        Assert.Equal(Images.Jpeg(7), got.Value.Content);
        Assert.Equal("image/jpeg", got.Value.ContentType);
    }

    [Fact]
    public async Task ReadUrl_TamperedSignature_IsRefused()
    {
        await Store.PutAsync("thumbnails/cam1/u.jpg", Images.Jpeg(7), "image/jpeg");
        var url = Store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.FromMinutes(10));
        Assert.Null(await ReadThroughUrlAsync(TamperSig(url)));
    }

    [Fact]
    public async Task ReadUrl_ForAnotherKey_IsRefused()
    {
        await Store.PutAsync("thumbnails/cam1/a.jpg", Images.Jpeg(1), "image/jpeg");
        await Store.PutAsync("thumbnails/cam1/b.jpg", Images.Jpeg(2), "image/jpeg");
        var url = Store.GetReadUrl("thumbnails/cam1/a.jpg", TimeSpan.FromMinutes(10));
        Assert.Null(await ReadThroughUrlAsync(url.Replace("/a.jpg", "/b.jpg", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReadUrl_Expired_IsRefused()
    {
        await Store.PutAsync("thumbnails/cam1/u.jpg", Images.Jpeg(7), "image/jpeg");
        Clock.Shift = -TimeSpan.FromHours(2);
        var url = Store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.FromHours(1)); // expired an hour ago
        Clock.Shift = TimeSpan.Zero;
        Assert.Null(await ReadThroughUrlAsync(url));
    }

    [Fact]
    public void ReadUrl_NonPositiveTtl_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Store.GetReadUrl("thumbnails/cam1/u.jpg", TimeSpan.Zero));

    /// <summary>The URL with one character of its sig parameter changed (still valid base64).</summary>
    protected static string TamperSig(string url)
    {
        var i = url.IndexOf("sig=", StringComparison.Ordinal) + 4;
        Assert.True(i > 3, url);
        var c = url[i] == 'A' ? 'B' : 'A';
        return url[..i] + c + url[(i + 1)..];
    }
}

/// <summary>
/// The system clock plus a shift. Not a FakeTimeProvider: the Azure store's SAS expiry is checked by Azurite against
/// the real clock, so the store's clock must run with it.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
