using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using VideoFace.Hosting.Api.Contracts;

namespace VideoFace.Hosting.Api;

/// <summary>
/// GET /api/me (the calling key's role, for the dashboard and `videoface status`) and /api/keys (admin): add a viewer or
/// admin key, list keys, revoke an added key. The CLI's `videoface keys …` commands call these with the admin key.
/// </summary>
public static class KeyApi
{
    public static RouteGroupBuilder MapKeyApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", Me).WithName("Me").WithSummary("The calling key's role").WithTags("Keys");
        var keys = api.MapGroup("/keys").WithTags("Keys").RequireAdmin();
        keys.MapGet("/", List).WithName("ListKeys").WithSummary("List API keys").Problems(403);
        keys.MapPost("/", Add).WithName("AddKey").WithSummary("Add an API key").Problems(400, 403, 413).JsonBody();
        keys.MapDelete("/{id}", Revoke).WithName("RevokeKey").WithSummary("Revoke an added API key").Problems(400, 403, 404);
        return api;
    }

    public static Ok<MeResponse> Me(HttpContext http)
    {
        var match = ApiKeyAuthentication.KeyOf(http);
        return TypedResults.Ok(new MeResponse(Role(match?.Role ?? ApiRole.Viewer), match?.Id));
    }

    public static Ok<KeyResponse[]> List(ApiKeys keys) =>
        TypedResults.Ok(keys.List().Select(k => new KeyResponse(k.Id, Role(k.Role), k.Name, k.CreatedAt, k.Source)).ToArray());

    /// <summary>A new key of <c>role</c> (viewer by default); the answer is the only place the key itself is shown.</summary>
    public static Created<CreatedKeyResponse> Add(KeyRequest body, ApiKeys keys)
    {
        var role = body.Role?.Trim().ToLowerInvariant() switch
        {
            null or "" or "viewer" => ApiRole.Viewer,
            "admin" => ApiRole.Admin,
            var r => throw new BadInputException($"unknown role '{CameraApi.Shown(r)}' (viewer or admin)"),
        };
        var (entry, key) = keys.Add(role, ApiLimits.Text(body.Name, "name"));
        return TypedResults.Created($"/api/keys/{entry.Id}", new CreatedKeyResponse(entry.Id, Role(entry.Role), entry.Name, entry.CreatedAt, key));
    }

    public static NoContent Revoke(string id, ApiKeys keys)
    {
        ApiLimits.Id(id, "key id");
        if (keys.IsFixed(id)) throw new BadInputException($"'{id}' is the data folder's or the configuration's admin key; change it there");
        return keys.Revoke(id) ? TypedResults.NoContent() : throw new NotFoundException($"no added key '{id}'");
    }

    private static string Role(ApiRole role) => role.ToString().ToLowerInvariant();
}
