using System.CommandLine;
using System.Text.Json;

namespace VideoFace.Cli.Commands;

/// <summary>
/// `keys add|list|revoke`: API keys of the running server. The commands talk to the server with the admin key (the data
/// folder's api-key file, or --api-key), so the server keeps the one hashed key store and a revoked key stops working
/// at once, on every host that shares the data folder.
/// </summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var cmd = new Command("keys", "API keys of the running server: viewer keys for guards and dashboards, admin keys for operators");
        cmd.Subcommands.Add(Add());
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Revoke());
        return cmd;
    }

    private static Command Add()
    {
        var role = new Option<string>("--role") { Description = "viewer (search, people, events, alerts feed, previews) or admin (also cameras, enrolment, rules, erase, merge)", DefaultValueFactory = _ => "viewer" };
        var name = new Option<string?>("--name") { Description = "A note saying whose key it is" };
        var add = new Command("add", "Make a key; it is printed once, only its hash is kept") { role, name };
        add.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.PostJsonAsync("api/keys", new { role = pr.GetValue(role), name = pr.GetValue(name) }, ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.GetRawText());
            else
            {
                Console.WriteLine($"key {Str(r, "id")} ({Str(r, "role")}): {Str(r, "key")}");
                Console.Error.WriteLine("keep it now: the server stores only its hash");
            }
            return 0;
        });
        return add;
    }

    private static Command List()
    {
        var list = new Command("list", "The server's keys: id, role, name, when added (never the keys themselves)");
        list.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync("api/keys", ct);
            if (pr.GetValue(GlobalOptions.Json))
            {
                Console.WriteLine(r.GetRawText());
                return 0;
            }
            foreach (var k in r.EnumerateArray())
                Console.WriteLine($"{Str(k, "id"),-12} {Str(k, "role"),-7} {Str(k, "source"),-14} {Str(k, "created_at") ?? "",-34} {Str(k, "name") ?? ""}");
            return 0;
        });
        return list;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key's id (from `keys list`)" };
        var revoke = new Command("revoke", "Revoke an added key; requests with it are refused from now on") { id };
        revoke.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            await server.DeleteAsync("api/keys/" + Uri.EscapeDataString(pr.GetValue(id)!), ct);
            Console.WriteLine($"revoked {pr.GetValue(id)}");
            return 0;
        });
        return revoke;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;
}
