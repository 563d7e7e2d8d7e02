using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace VideoFace.Cli.Commands;

/// <summary>`camera …`, `person …` and `events` against a running server.</summary>
internal static class ClusterCommands
{
    public static Command Camera()
    {
        var cmd = new Command("camera", "Register and inspect cameras of the running server");

        var id = new Argument<string>("id") { Description = "Camera id (letters, digits, - _ .)" };
        var url = new Argument<string>("url") { Description = "rtsp://, http(s):// or a video file path" };
        var fps = new Option<double>("--fps") { Description = "Analysis frames per second", DefaultValueFactory = _ => 2 };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var zone = new Option<string?>("--zone") { Description = "Zone / site label" };
        var disabled = new Option<bool>("--disabled") { Description = "Register without starting ingest" };
        var add = new Command("add", "Add or update a camera") { id, url, fps, name, zone, disabled };
        add.SetAction(async (pr, ct) =>
        {
            var u = pr.GetValue(url)!;
            if (File.Exists(u)) u = Path.GetFullPath(u);
            using var server = ServerClient.For(pr);
            var r = await server.PutJsonAsync($"api/cameras/{Uri.EscapeDataString(pr.GetValue(id)!)}",
                new { url = u, fps = pr.GetValue(fps), enabled = !pr.GetValue(disabled), name = pr.GetValue(name), zone = pr.GetValue(zone) }, ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.GetRawText());
            else Console.WriteLine($"camera {Str(r, "id")}: {Str(r, "health")} on silo {Str(r, "silo")} ({Str(r, "url")} at {r.GetProperty("fps")} fps)");
            return 0;
        });
        cmd.Subcommands.Add(add);

        var list = new Command("list", "List cameras with health and counters");
        list.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync("api/cameras", ct);
            if (pr.GetValue(GlobalOptions.Json)) { Console.WriteLine(r.GetRawText()); return 0; }
            var table = new Table().AddColumns("id", "health", "reason", "silo", "fps", "frames", "faces", "tracks", "url");
            foreach (var c in r.EnumerateArray())
                table.AddRow(Esc(Str(c, "id")), Esc(Str(c, "health")), Esc(Reason(c)), Esc(Str(c, "silo")), Esc(c.GetProperty("fps").ToString()),
                    c.GetProperty("frames_analyzed").ToString(), c.GetProperty("faces_detected").ToString(), c.GetProperty("tracks_started").ToString(), Esc(Str(c, "url")));
            Cli.Out.Write(table);
            return 0;
        });
        cmd.Subcommands.Add(list);

        var statusId = new Argument<string>("id");
        var status = new Command("status", "One camera's health and counters") { statusId };
        status.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync($"api/cameras/{Uri.EscapeDataString(pr.GetValue(statusId)!)}", ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.GetRawText());
            else foreach (var p in r.EnumerateObject()) Console.WriteLine($"{p.Name,-16} {p.Value}");
            return 0;
        });
        cmd.Subcommands.Add(status);
        cmd.Subcommands.Add(Preview());

        var removeId = new Argument<string>("id");
        var remove = new Command("remove", "Stop and forget a camera") { removeId };
        remove.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            await server.DeleteAsync($"api/cameras/{Uri.EscapeDataString(pr.GetValue(removeId)!)}", ct);
            if (!pr.GetValue(GlobalOptions.Json)) Console.WriteLine($"camera {pr.GetValue(removeId)} removed");
            else Cli.WriteJson(new { removed = pr.GetValue(removeId) });
            return 0;
        });
        cmd.Subcommands.Add(remove);
        return cmd;
    }

    /// <summary>`camera preview ID [-o FILE]`: saves the camera's latest analysed frame and lists the faces found in it.</summary>
    private static Command Preview()
    {
        var id = new Argument<string>("id") { Description = "Camera id" };
        var output = new Option<string?>("--output", "-o") { Description = "JPEG file to write (default preview-ID.jpg)" };
        var cmd = new Command("preview", "Save the camera's latest analysed frame (JPEG) and list its faces: box, score, track, identity") { id, output };
        cmd.SetAction(async (pr, ct) =>
        {
            var camera = pr.GetValue(id)!;
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync($"api/cameras/{Uri.EscapeDataString(camera)}/preview", ct);
            var image = Str(r, "image") ?? throw new UserException("the server sent a preview without an image");
            int comma = image.IndexOf(',');
            if (!image.StartsWith("data:image/jpeg;base64,", StringComparison.Ordinal) || comma < 0)
                throw new UserException("the server sent the preview image in an unknown form");
            var file = Path.GetFullPath(pr.GetValue(output) ?? $"preview-{FileSafe(camera)}.jpg");
            await File.WriteAllBytesAsync(file, Convert.FromBase64String(image[(comma + 1)..]), ct);
            var faces = r.GetProperty("faces").EnumerateArray().Select(f => new
            {
                box = f.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
                score = f.GetProperty("score").GetSingle(),
                track_id = Str(f, "track_id"),
                identity_id = Str(f, "identity_id"),
                identity_name = Str(f, "identity_name"),
            }).ToList();
            if (pr.GetValue(GlobalOptions.Json))
            {
                Cli.WriteJson(new
                {
                    camera, captured_at = Str(r, "captured_at"), width = r.GetProperty("width").GetInt32(), height = r.GetProperty("height").GetInt32(),
                    file, faces,
                });
                return 0;
            }
            Console.WriteLine($"camera {camera}: {r.GetProperty("width")}x{r.GetProperty("height")} frame of {Str(r, "captured_at")}, " +
                $"{faces.Count} face{(faces.Count == 1 ? "" : "s")}; saved {file}");
            foreach (var f in faces)
                Console.WriteLine(FormattableString.Invariant(
                    $"  [{f.box[0]:0},{f.box[1]:0} {f.box[2]:0}x{f.box[3]:0}] score {f.score:0.00}  track {f.track_id ?? "-"}  {f.identity_name ?? (f.identity_id is { } u ? "unknown " + u : "(not identified)")}"));
            return 0;
        });
        return cmd;

        // a camera id may hold characters a file name should not
        static string FileSafe(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
    }

    public static Command Person()
    {
        var cmd = new Command("person", "Enrolled persons and unknown identities of the running server");

        var name = new Argument<string>("name") { Description = "Person's name" };
        var photos = new Argument<string[]>("photos") { Description = "Photos of the person (a folder means its images)", Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force") { Description = "Enrol the photos even when some do not look like the others or like the person as enrolled" };
        var add = new Command("add", "Enrol a person from photos (exactly the same name adds photos; another name is another person)") { name, photos, force };
        add.SetAction(async (pr, ct) =>
        {
            var files = PhotoArgs.Expand(pr.GetValue(photos)!);
            using var server = ServerClient.For(pr);
            var r = await EnrollInBatchesAsync(pr, server, pr.GetValue(name)!, files, pr.GetValue(force), ct);
            if (pr.GetValue(GlobalOptions.Json)) Console.WriteLine(r.ToJsonString());
            else PrintEnrolled(JsonDocument.Parse(r.ToJsonString()).RootElement);
            return 0;
        });
        cmd.Subcommands.Add(add);

        var list = new Command("list", "Every identity: enrolled persons and unknown identities");
        list.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync("api/persons", ct);
            if (pr.GetValue(GlobalOptions.Json)) { Console.WriteLine(r.GetRawText()); return 0; }
            var table = new Table().AddColumns("id", "name", "sightings", "cameras", "first seen", "last seen", "visible");
            foreach (var p in r.EnumerateArray())
                table.AddRow(Esc(Str(p, "id")), Esc(Str(p, "name") ?? "(unknown)"), p.GetProperty("sightings").ToString(),
                    Esc(string.Join(", ", p.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()))),
                    Esc(Str(p, "first_seen")), Esc(Str(p, "last_seen")), p.GetProperty("visible").ToString());
            Cli.Out.Write(table);
            return 0;
        });
        cmd.Subcommands.Add(list);

        var showId = new Argument<string>("id");
        var limit = new Option<int>("--limit") { Description = "History entries to show", DefaultValueFactory = _ => 20 };
        var show = new Command("show", "One identity's summary and track history") { showId, limit };
        show.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.GetAsync($"api/persons/{Uri.EscapeDataString(pr.GetValue(showId)!)}?limit={pr.GetValue(limit)}", ct);
            if (pr.GetValue(GlobalOptions.Json)) { Console.WriteLine(r.GetRawText()); return 0; }
            var p = r.GetProperty("person");
            Console.WriteLine($"{Str(p, "id")} {Str(p, "name") ?? "(unknown)"}: {p.GetProperty("sightings")} sightings on {string.Join(", ", p.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()))}");
            var table = new Table().AddColumns("camera", "track", "start", "end", "similarity", "thumbnail");
            foreach (var h in r.GetProperty("history").EnumerateArray())
                table.AddRow(Esc(Str(h, "camera")), Esc(Str(h, "track_id")), Esc(Str(h, "start")), Esc(Str(h, "end") ?? "(open)"),
                    h.GetProperty("similarity").GetSingle().ToString("0.000"), Esc(Str(h, "thumbnail_url")));
            Cli.Out.Write(table);
            return 0;
        });
        cmd.Subcommands.Add(show);

        var removeId = new Argument<string>("id");
        var remove = new Command("remove", "Delete a person or unknown identity and erase it everywhere (history, sightings, images)") { removeId };
        remove.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            await server.DeleteAsync($"api/persons/{Uri.EscapeDataString(pr.GetValue(removeId)!)}", ct);
            Console.WriteLine(pr.GetValue(GlobalOptions.Json) ? JsonSerializer.Serialize(new { removed = pr.GetValue(removeId) }) : $"{pr.GetValue(removeId)} removed");
            return 0;
        });
        cmd.Subcommands.Add(remove);

        var renameId = new Argument<string>("id") { Description = "Person or unknown identity id" };
        var newName = new Argument<string>("name") { Description = "The name to give" };
        var rename = new Command("rename", "Rename a person, or promote an unknown identity to a named person") { renameId, newName };
        rename.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.PostJsonAsync($"api/persons/{Uri.EscapeDataString(pr.GetValue(renameId)!)}/name", new { name = pr.GetValue(newName) }, ct);
            Console.WriteLine(pr.GetValue(GlobalOptions.Json) ? r.GetRawText() : $"{Str(r, "id")} is now named {Str(r, "name")}");
            return 0;
        });
        cmd.Subcommands.Add(rename);

        var mergeId = new Argument<string>("id") { Description = "The identity that goes (e.g. an unknown identity)" };
        var into = new Option<string>("--into") { Description = "The identity that stays and takes its history", Required = true };
        var merge = new Command("merge", "Merge an identity into another: history, sightings and embedding move, the first id goes") { mergeId, into };
        merge.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            var r = await server.PostJsonAsync($"api/persons/{Uri.EscapeDataString(pr.GetValue(mergeId)!)}/merge", new { into = pr.GetValue(into) }, ct);
            Console.WriteLine(pr.GetValue(GlobalOptions.Json) ? r.GetRawText()
                : $"{pr.GetValue(mergeId)} merged into {Str(r, "id")} ({Str(r, "name") ?? "unknown"}): {r.GetProperty("sightings")} sightings");
            return 0;
        });
        cmd.Subcommands.Add(merge);
        return cmd;
    }

    public static Command Events()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing events as they happen; reconnects and resumes without gaps" };
        var count = new Option<int>("--count") { Description = "Recent events to print first", DefaultValueFactory = _ => 20 };
        var cmd = new Command("events", "Identity events (Appeared, MovedCamera, Left) of the running server") { follow, count };
        cmd.SetAction(async (pr, ct) =>
        {
            using var server = ServerClient.For(pr);
            bool json = pr.GetValue(GlobalOptions.Json);
            var recent = await server.GetAsync($"api/events/recent?count={Math.Max(1, pr.GetValue(count))}", ct);
            long last = 0;
            foreach (var e in recent.EnumerateArray())
            {
                Print(e, json);
                last = e.GetProperty("seq").GetInt64();
            }
            if (!pr.GetValue(follow)) return 0;
            // event ids are the server's durable log sequence: after a dropped connection or a server restart the stream
            // resumes after the last one printed (Last-Event-ID), as `alerts follow` does
            string lastId = last.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var backoff = TimeSpan.FromSeconds(1);
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await foreach (var (eventId, _, data) in server.StreamEventsAsync("api/events", lastId, ct))
                    {
                        Print(JsonDocument.Parse(data).RootElement, json);
                        if (eventId is not null) lastId = eventId;
                        backoff = TimeSpan.FromSeconds(1);
                    }
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is UserException or HttpRequestException or IOException)
                {
                    Console.Error.WriteLine($"events: {ex.Message}; reconnecting in {backoff.TotalSeconds:0} s");
                }
                if (ct.IsCancellationRequested) break;
                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            }
            return 0;
        });
        return cmd;

        static void Print(JsonElement e, bool json)
        {
            if (json)
            {
                Console.WriteLine(e.GetRawText());
                return;
            }
            var who = Str(e, "identity_name") ?? $"unknown {Str(e, "identity_id")}";
            var where = Str(e, "previous_camera") is { } prev ? $"{prev} → {Str(e, "camera")}" : Str(e, "camera");
            var moved = Str(e, "moved_to_identity_id") is { } to ? $"  → {to}" : "";
            Console.WriteLine($"{Str(e, "time")}  {Str(e, "kind"),-11} {who,-28} camera {where}  track {Str(e, "track_id")}{moved}");
        }
    }

    /// <summary>Photos per enrolment request: many photos go in several requests, so a progress bar can follow them.</summary>
    private const int EnrolBatch = 8;

    /// <summary>
    /// Enrols the photos <see cref="EnrolBatch"/> at a time (the server adds each batch to the same name), with a
    /// progress bar when interactive; returns one answer like POST /api/persons's for all of them. A batch with no
    /// usable face does not stop the others; only when no photo at all was usable is it an error.
    /// </summary>
    private static async Task<JsonObject> EnrollInBatchesAsync(ParseResult pr, ServerClient server, string name, List<string> files, bool force, CancellationToken ct)
    {
        JsonObject? last = null;
        var statuses = new JsonArray();
        var outliers = new JsonArray();
        string? lastError = null;
        async Task BatchAsync(string[] batch)
        {
            try
            {
                last = JsonNode.Parse((await server.EnrollAsync(name, batch, ct, force)).GetRawText())!.AsObject();
                foreach (var s in last["photos"]!.AsArray()) statuses.Add(s!.DeepClone());
                foreach (var o in last["outliers"]?.AsArray() ?? []) outliers.Add(o!.DeepClone());
            }
            catch (UserException ex) when (files.Count > EnrolBatch && ex.Message.Contains("no usable face", StringComparison.Ordinal))
            {
                lastError = ex.Message;
                foreach (var f in batch) statuses.Add(new JsonObject { ["file"] = Path.GetFileName(f), ["status"] = "no_usable_face_in_batch" });
            }
            catch (UserException ex) when (ex.Message.StartsWith("server: 422", StringComparison.Ordinal))
            {
                // photos that do not agree refuse their batch; say what earlier batches already enrolled
                int enrolled = statuses.Count(s => s?["status"]?.GetValue<string>() is "ok" or "several_faces_used_largest");
                throw new UserException(ex.Message + (enrolled > 0 ? $" ({enrolled} photos of earlier batches were enrolled)" : "") + "; or pass --force");
            }
        }
        var batches = files.Chunk(EnrolBatch).ToList();
        if (Cli.Interactive(pr) && batches.Count > 1)
        {
            await Cli.Out.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"enrolling {name}", maxValue: files.Count);
                    foreach (var b in batches)
                    {
                        await BatchAsync(b);
                        task.Increment(b.Length);
                    }
                });
        }
        else
        {
            foreach (var b in batches) await BatchAsync(b);
        }
        if (last is null) throw new UserException(lastError ?? "no usable face in the photos");
        last["photos"] = statuses;
        if (outliers.Count > 0) last["outliers"] = outliers;
        return last;
    }

    /// <summary>Human summary of a POST /api/persons answer.</summary>
    internal static void PrintEnrolled(JsonElement r)
    {
        Console.WriteLine($"{Str(r, "name")} ({Str(r, "id")}): {r.GetProperty("photos_total")} photos enrolled");
        foreach (var p in r.GetProperty("photos").EnumerateArray())
            if (Str(p, "status") != "ok") Console.WriteLine($"  {Str(p, "file")}: {Str(p, "status")}{(Str(p, "error") is { } e ? " — " + e : "")}");
        if (r.TryGetProperty("outliers", out var outliers) && outliers.ValueKind == JsonValueKind.Array)
            foreach (var o in outliers.EnumerateArray()) Console.WriteLine($"  enrolled although forced: {Str(o, "detail")}");
    }

    /// <summary>A camera's reason, with when a failing camera is tried next ("ConnectionRefused: … (next try in 38 s)").</summary>
    private static string? Reason(JsonElement camera)
    {
        var reason = Str(camera, "reason");
        if (!camera.TryGetProperty("retry_at", out var r) || r.ValueKind != JsonValueKind.String || !r.TryGetDateTimeOffset(out var at)) return reason;
        var wait = at - DateTimeOffset.UtcNow;
        var next = wait > TimeSpan.Zero ? $"next try in {Math.Ceiling(wait.TotalSeconds):0} s" : "retrying";
        return reason is null ? $"({next})" : $"{reason} ({next})";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    private static string Esc(string? s) => Markup.Escape(s ?? "");
}
