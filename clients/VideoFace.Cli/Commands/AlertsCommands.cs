using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace VideoFace.Cli.Commands;

/// <summary>`alerts add|list|remove|follow` against a running server.</summary>
internal static class AlertsCommands
{
    public static Command Create()
    {
        var cmd = new Command("alerts", "Alert rules and live alerts of the running server");
        cmd.Subcommands.Add(Add());
        cmd.Subcommands.Add(Edit());
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Remove());
        cmd.Subcommands.Add(Follow());
        return cmd;
    }

    private static Command Add()
    {
        var person = new Option<string?>("--person") { Description = "Alert on this person anywhere (enrolled name or identity id)" };
        var unknown = new Option<bool>("--unknown") { Description = "Alert on any unknown face" };
        var enrolled = new Option<bool>("--enrolled") { Description = "Alert on any enrolled person" };
        var camera = new Option<string[]>("--camera") { Description = "Only on this camera (repeat for several)" };
        var name = new Option<string?>("--name") { Description = "Rule name (default: made from the rule)" };
        var id = new Option<string?>("--id") { Description = "Rule id (default: generated)" };
        var cooldown = new Option<double?>("--cooldown") { Description = "Seconds before the same identity alerts again on this rule (default: server's, 60)" };
        var webhook = new Option<string?>("--webhook") { Description = "POST each alert to this URL (signed with --secret)" };
        var secret = new Option<string?>("--secret") { Description = "Webhook secret: X-VideoFace-Signature is sha256=HMAC-SHA256(body, secret)" };
        var window = new Option<string[]>("--window") { Description = "Only in this time window, e.g. \"Mon-Fri 08:00-18:00 Europe/Paris\" (repeatable)" };
        var add = new Command("add", "Add an alert rule: --person NAME|ID, --unknown or --enrolled") { person, unknown, enrolled, camera, name, id, cooldown, webhook, secret, window };
        add.SetAction(async (pr, ct) =>
        {
            var who = pr.GetValue(person);
            int kinds = (who is null ? 0 : 1) + (pr.GetValue(unknown) ? 1 : 0) + (pr.GetValue(enrolled) ? 1 : 0);
            if (kinds != 1) throw new UserException("give exactly one of --person <name-or-id>, --unknown or --enrolled");
            if (pr.GetValue(webhook) is not null && string.IsNullOrEmpty(pr.GetValue(secret))) throw new UserException("--webhook needs --secret");
            var kind = who is not null ? "person" : pr.GetValue(unknown) ? "unknown" : "enrolled";
            using var server = ServerClient.For(pr);
            var r = await server.PostJsonAsync("api/alerts/rules", new
            {
                id = pr.GetValue(id),
                name = pr.GetValue(name),
                kind,
                person = who,
                cameras = pr.GetValue(camera) ?? [],
                windows = pr.GetValue(window) ?? [],
                cooldown_seconds = pr.GetValue(cooldown),
                webhook_url = pr.GetValue(webhook),
                webhook_secret = pr.GetValue(secret),
            }, ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.GetRawText());
            else Console.WriteLine($"rule {Str(r, "id")}: {Str(r, "name")}");
            return 0;
        });
        return add;
    }

    private static Command Edit()
    {
        var ruleId = new Argument<string>("id") { Description = "Rule id" };
        var person = new Option<string?>("--person") { Description = "Watch this person (enrolled name or identity id)" };
        var unknown = new Option<bool>("--unknown") { Description = "Watch any unknown face" };
        var enrolled = new Option<bool>("--enrolled") { Description = "Watch any enrolled person" };
        var camera = new Option<string[]>("--camera") { Description = "Only on these cameras (repeat; replaces the rule's list)" };
        var allCameras = new Option<bool>("--all-cameras") { Description = "On every camera (clears the camera list)" };
        var name = new Option<string?>("--name") { Description = "New rule name" };
        var cooldown = new Option<double?>("--cooldown") { Description = "Seconds before the same identity alerts again on this rule" };
        var window = new Option<string[]>("--window") { Description = "Only in these time windows (repeat; replaces the rule's list)" };
        var always = new Option<bool>("--always") { Description = "At any time (clears the time windows)" };
        var webhook = new Option<string?>("--webhook") { Description = "POST each alert to this URL (a new URL needs --secret)" };
        var secret = new Option<string?>("--secret") { Description = "Webhook secret" };
        var noWebhook = new Option<bool>("--no-webhook") { Description = "Stop POSTing this rule's alerts" };
        var edit = new Command("edit", "Change an alert rule: what is not given stays as it is")
        {
            ruleId, person, unknown, enrolled, camera, allCameras, name, cooldown, window, always, webhook, secret, noWebhook,
        };
        edit.SetAction(async (pr, ct) =>
        {
            var id = pr.GetValue(ruleId)!;
            using var server = ServerClient.For(pr);
            var rule = await server.GetAsync($"api/alerts/rules/{Uri.EscapeDataString(id)}", ct);
            var who = pr.GetValue(person);
            int kinds = (who is null ? 0 : 1) + (pr.GetValue(unknown) ? 1 : 0) + (pr.GetValue(enrolled) ? 1 : 0);
            if (kinds > 1) throw new UserException("give at most one of --person, --unknown or --enrolled");
            var kind = who is not null ? "person" : pr.GetValue(unknown) ? "unknown" : pr.GetValue(enrolled) ? "enrolled" : Str(rule, "kind");
            if (kinds == 0 && kind == "person") who = Str(rule, "person_id") ?? Str(rule, "person_name");
            string[] cameras = pr.GetValue(allCameras) ? [] : pr.GetValue(camera) is { Length: > 0 } c ? c : List(rule, "cameras");
            string[] windows = pr.GetValue(always) ? [] : pr.GetValue(window) is { Length: > 0 } w ? w : List(rule, "windows");
            var url = pr.GetValue(noWebhook) ? null : pr.GetValue(webhook) ?? Str(rule, "webhook_url");
            if (pr.GetValue(webhook) is { } newUrl && newUrl != Str(rule, "webhook_url") && string.IsNullOrEmpty(pr.GetValue(secret)))
                throw new UserException("a new --webhook URL needs --secret");
            var r = await server.PutJsonAsync($"api/alerts/rules/{Uri.EscapeDataString(id)}", new
            {
                name = pr.GetValue(name) ?? Str(rule, "name"),
                kind,
                person = who,
                cameras,
                windows,
                cooldown_seconds = pr.GetValue(cooldown) ?? rule.GetProperty("cooldown_seconds").GetDouble(),
                webhook_url = url,
                webhook_secret = url is null ? null : pr.GetValue(secret),
            }, ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.GetRawText());
            else Console.WriteLine($"rule {Str(r, "id")}: {Str(r, "name")}");
            return 0;
        });
        return edit;

        static string[] List(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
    }

    private static Command List()
    {
        var list = new Command("list", "List alert rules");
        list.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync("api/alerts/rules", ct);
            if (pr.GetValue(GlobalOptions.Json)) { Console.WriteLine(r.GetRawText()); return 0; }
            var table = new Table().AddColumns("id", "name", "kind", "person", "cameras", "windows", "cooldown", "webhook");
            foreach (var rule in r.EnumerateArray())
                table.AddRow(Esc(Str(rule, "id")), Esc(Str(rule, "name")), Esc(Str(rule, "kind")),
                    Esc(Str(rule, "person_name") ?? Str(rule, "person_id")), Esc(Join(rule, "cameras", "(all)")), Esc(Join(rule, "windows", "(always)")),
                    Esc(Str(rule, "cooldown_seconds") + " s"), Esc(Str(rule, "webhook_url")));
            Cli.Out.Write(table);
            return 0;
        });
        return list;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("id") { Description = "Rule id" };
        var remove = new Command("remove", "Remove an alert rule") { id };
        remove.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            await server.DeleteAsync($"api/alerts/rules/{Uri.EscapeDataString(pr.GetValue(id)!)}", ct);
            if (pr.GetValue(GlobalOptions.Json)) Cli.WriteJson(new { removed = pr.GetValue(id) });
            else Console.WriteLine($"rule {pr.GetValue(id)} removed");
            return 0;
        });
        return remove;
    }

    private static Command Follow()
    {
        var after = new Option<long?>("--after") { Description = "Start after this alert sequence (default: only new alerts)" };
        var follow = new Command("follow", "Print alerts as they happen (one JSON object per line with --json); reconnects and resumes without gaps") { after };
        follow.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            bool json = pr.GetValue(GlobalOptions.Json);
            string? last = pr.GetValue(after)?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var backoff = TimeSpan.FromSeconds(1);
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await foreach (var (eventId, _, data) in server.StreamEventsAsync("api/alerts/stream", last, ct))
                    {
                        Print(server.BaseUrl, data, json);
                        if (eventId is not null) last = eventId;
                        backoff = TimeSpan.FromSeconds(1);
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is UserException or HttpRequestException or IOException)
                {
                    Console.Error.WriteLine($"alerts: {ex.Message}; reconnecting in {backoff.TotalSeconds:0} s");
                }
                if (ct.IsCancellationRequested) break;
                // the server closed the stream or dropped: resume after the last alert seen (Last-Event-ID)
                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            }
            return 0;
        });
        return follow;
    }

    /// <summary>One alert: its JSON on one line (thumbnail_url made absolute), or a human line.</summary>
    private static void Print(string baseUrl, string data, bool json)
    {
        var node = JsonNode.Parse(data)!.AsObject();
        if (node["thumbnail_url"]?.GetValue<string>() is { } thumb && thumb.StartsWith('/')) node["thumbnail_url"] = baseUrl + thumb;
        if (json)
        {
            Console.WriteLine(node.ToJsonString());
            return;
        }
        var who = node["identity_name"]?.GetValue<string>() ?? $"unknown {node["identity_id"]}";
        Console.WriteLine($"{node["time"]}  ALERT {node["rule_name"]}: {who} on camera {node["camera"]}  track {node["track_id"]}  similarity {node["similarity"]}  {node["thumbnail_url"]}");
    }

    private static string Join(JsonElement e, string name, string none) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0
            ? string.Join(", ", v.EnumerateArray().Select(x => x.GetString())) : none;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    private static string Esc(string? s) => Markup.Escape(s ?? "");
}
