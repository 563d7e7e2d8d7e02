using System.CommandLine;
using System.Text.Json;

namespace VideoFace.Cli.Commands;

/// <summary>`status`: which server the CLI talks to, its profile, cameras, people, and the role of the key it uses.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var cmd = new Command("status", "The server this CLI talks to: address, silo and profile, cameras by state, people, and the key's role");
        cmd.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var health = await server.GetAsync("health", ct);
            var cameras = await server.GetAsync("api/cameras", ct);
            var persons = await server.GetAsync("api/persons", ct);
            var role = await RoleAsync(server, ct);
            var states = cameras.EnumerateArray().GroupBy(c => c.GetProperty("health").GetString() ?? "?").ToDictionary(g => g.Key, g => g.Count());
            var ids = persons.EnumerateArray().Select(p => p.GetProperty("id").GetString() ?? "").ToList();
            var status = new
            {
                Server = server.BaseUrl,
                Silo = Str(health, "silo"),
                Profile = Str(health, "profile"),
                Cameras = cameras.GetArrayLength(),
                CameraStates = states,
                Persons = ids.Count(i => !i.StartsWith("u-", StringComparison.Ordinal)),
                UnknownIdentities = ids.Count(i => i.StartsWith("u-", StringComparison.Ordinal)),
                Role = role,
                KeyFrom = server.KeySource,
            };
            if (pr.GetValue(GlobalOptions.Json))
            {
                Cli.WriteJson(status);
                return 0;
            }
            Console.WriteLine($"server    {status.Server} (silo {status.Silo}, profile {status.Profile})");
            Console.WriteLine($"cameras   {status.Cameras}" + (states.Count == 0 ? "" : " (" + string.Join(", ", states.Select(s => $"{s.Value} {s.Key}")) + ")"));
            Console.WriteLine($"people    {status.Persons} enrolled, {status.UnknownIdentities} unknown identities");
            Console.WriteLine($"key       {status.Role}, from {status.KeyFrom}");
            return 0;
        });
        return cmd;
    }

    /// <summary>The key's role as the server tells it (GET /api/me), else what a key of a server without roles is.</summary>
    private static async Task<string> RoleAsync(ServerClient server, CancellationToken ct)
    {
        try
        {
            var me = await server.GetAsync("api/me", ct);
            if (me.ValueKind == JsonValueKind.Object && Str(me, "role") is { } role) return role;
        }
        catch (UserException ex) when (ex.Message.Contains("404", StringComparison.Ordinal) || ex.Message.StartsWith("not found", StringComparison.Ordinal))
        {
            // a server without key roles: every key may do everything
        }
        return server.KeySource?.StartsWith("api-key file", StringComparison.Ordinal) == true ? "admin (api-key file)" : "admin (the server has no key roles)";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
