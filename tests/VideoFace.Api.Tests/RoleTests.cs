using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace VideoFace.Api.Tests;

/// <summary>Key roles: a viewer reads and is refused changes with a 403 naming the role; keys are stored hashed; revoking works; the CLI manages keys.</summary>
[Collection(ApiHostCollection.Name)]
public sealed class RoleTests(ApiHostFixture fx)
{
    [Fact]
    public async Task Me_TellsEachKeysRole()
    {
        using var admin = fx.Client(fx.AdminKey);
        using var viewer = fx.Client(fx.ViewerKey);
        var a = await ApiHostFixture.ReadAsync(await admin.GetAsync("/api/me"));
        Assert.Equal("admin", a.GetProperty("role").GetString());
        Assert.Equal("local", a.GetProperty("key_id").GetString());
        var v = await ApiHostFixture.ReadAsync(await viewer.GetAsync("/api/me"));
        Assert.Equal("viewer", v.GetProperty("role").GetString());
        Assert.Equal(fx.ViewerKeyId, v.GetProperty("key_id").GetString());
    }

    [Fact]
    public async Task Viewer_ReadsEverythingAViewerMay_AndIsRefusedAChangeWith403NamingTheRole()
    {
        using var viewer = fx.Client(fx.ViewerKey);
        foreach (var path in new[] { "/api/cameras", "/api/persons", $"/api/persons/{fx.TonyId}", "/api/alerts/rules", "/api/alerts/recent", "/api/events/recent" })
            Assert.True((await viewer.GetAsync(path)).IsSuccessStatusCode, path);
        using var r = await viewer.PutAsJsonAsync("/api/cameras/by-viewer", new { url = "rtsp://camera.example/x" });
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        var problem = await ApiHostFixture.ReadProblemAsync(r);
        Assert.Contains("needs the admin role", problem.GetProperty("detail").GetString());
        Assert.Contains("viewer role", problem.GetProperty("detail").GetString());
        using var admin = fx.Client(fx.AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/cameras/by-viewer")).StatusCode);
    }

    [Fact]
    public async Task AddedKeys_AreStoredAsSha256Only_AndARevokedKeyIsRefused()
    {
        using var admin = fx.Client(fx.AdminKey);
        var created = await ApiHostFixture.ReadAsync(await admin.PostAsJsonAsync("/api/keys", new { role = "admin", name = "ops" }));
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        var store = await File.ReadAllTextAsync(Path.Combine(fx.DataFolder, "api-keys.json"));
        Assert.DoesNotContain(key, store);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), store);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(fx.DataFolder, "api-keys.json")));

        using var ops = fx.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/keys")).StatusCode);
        var listed = await ApiHostFixture.ReadAsync(await admin.GetAsync("/api/keys"));
        Assert.Contains(listed.EnumerateArray(), k => k.GetProperty("id").GetString() == id && k.GetProperty("role").GetString() == "admin");
        Assert.DoesNotContain(key, listed.GetRawText());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{id}")).StatusCode);
        using var after = await ops.GetAsync("/api/cameras");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("not valid", (await ApiHostFixture.ReadProblemAsync(after)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Cli_KeysAddListRevoke_AgainstTheServer()
    {
        var add = await RunCliAsync("keys", "add", "--role", "viewer", "--name", "night guard", "--json");
        Assert.True(add.Code == 0, add.Stderr);
        using var doc = System.Text.Json.JsonDocument.Parse(add.Stdout);
        var key = doc.RootElement.GetProperty("key").GetString()!;
        var id = doc.RootElement.GetProperty("id").GetString()!;
        using var guard = fx.Client(key);
        Assert.Equal("viewer", (await ApiHostFixture.ReadAsync(await guard.GetAsync("/api/me"))).GetProperty("role").GetString());

        var list = await RunCliAsync("keys", "list");
        Assert.True(list.Code == 0, list.Stderr);
        Assert.Contains(id, list.Stdout);
        Assert.Contains("night guard", list.Stdout);
        Assert.DoesNotContain(key, list.Stdout);

        Assert.Equal(0, (await RunCliAsync("keys", "revoke", id)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await guard.GetAsync("/api/me")).StatusCode);
        var again = await RunCliAsync("keys", "revoke", id);
        Assert.NotEqual(0, again.Code);
        Assert.Contains("no added key", again.Stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var dll = Path.Combine(RepoPaths.Root, "clients", "VideoFace.Cli", "bin", "Release", "net10.0", "videoface.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args.Concat(["--server", fx.BaseAddress.ToString().TrimEnd('/'), "--api-key", fx.AdminKey])) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (p.ExitCode, await stdout, await stderr);
    }
}
