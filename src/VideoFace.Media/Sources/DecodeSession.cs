using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using VideoFace.Media.Ffmpeg;
using VideoFace.Media.Frames;
using VideoFace.Media.Health;

namespace VideoFace.Media.Sources;

/// <summary>
/// One ffmpeg run: frames from stdout paired with showinfo lines from stderr, errors classified from stderr,
/// and a watchdog that kills ffmpeg when the first frame is late or the stream stalls.
/// </summary>
internal sealed partial class DecodeSession(
    MediaLocation location,
    MediaOptions options,
    bool useCuda,
    FramePool pool,
    FrameQueue queue,
    TimeProvider time,
    ILogger logger,
    DecodeSession.Callbacks callbacks)
{
    /// <summary>What the owning source learns while the session runs.</summary>
    internal sealed record Callbacks(
        Action<int> ProcessStarted,
        Action<StreamInfo> StreamOpened,
        Action FirstFrame,
        Action Stalled,
        Func<long> NextSequence,
        Func<StreamInfo?> CurrentStream);

    private readonly bool _live = options.Live ?? location.IsLiveByDefault;
    private long _frames;
    private long _waitingSince; // timestamp since when we wait on ffmpeg for data; 0 while blocked on the consumer
    private HealthReason _watchdogReason;
    private HealthReason _errorReason;
    private string? _errorMessage;
    private readonly Queue<string> _lastLines = new();
    private DateTimeOffset? _fileAnchor;

    public async Task<SessionOutcome> RunAsync(CancellationToken ct)
    {
        var arguments = DecodeArguments.Build(location, options, useCuda);
        FfmpegProcess process;
        try
        {
            process = FfmpegProcess.Start(FfmpegProcess.ResolveBinary(options.FfmpegPath), arguments);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            return new SessionOutcome(0, HealthReason.ProcessError, $"cannot start ffmpeg: {e.Message}", null);
        }

        await using (process.ConfigureAwait(false))
        {
            logger.FfmpegStarted(location.Redacted, process.Id,
                FfmpegProcess.Display(arguments.Select(a => Security.Secrets.RedactText(a.Replace(location.Value, location.Redacted, StringComparison.Ordinal)))));
            callbacks.ProcessStarted(process.Id);
            var metas = Channel.CreateUnbounded<FrameMeta>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            using var watchdogStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Volatile.Write(ref _waitingSince, time.GetTimestamp());

            var stderr = Task.Run(() => ReadStderrAsync(process, metas.Writer), CancellationToken.None);
            var watchdog = Task.Run(() => WatchAsync(process, watchdogStop.Token), CancellationToken.None);
            try
            {
                await ReadFramesAsync(process, metas.Reader, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                process.Kill();
            }
            catch (IOException)
            {
                process.Kill(); // the pipe broke: ffmpeg died; its stderr says why
            }

            // stdout is done: ffmpeg is exiting (or was killed); give it a moment, then make sure.
            using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
            {
                try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { process.Kill(); }
            }
            await watchdogStop.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            var exitCode = process.HasExited ? process.ExitCode : -1;
            logger.FfmpegExited(location.Redacted, process.Id, exitCode, _frames);
            return Outcome(exitCode, ct.IsCancellationRequested);
        }
    }

    private SessionOutcome Outcome(int exitCode, bool cancelled)
    {
        var frames = Interlocked.Read(ref _frames);
        if (cancelled) return new(frames, HealthReason.Cancelled, null, exitCode);
        if (_watchdogReason == HealthReason.Stalled)
            return new(frames, HealthReason.Stalled, $"no frame for {options.StallTimeout.TotalSeconds:0.#} s", exitCode);
        if (_watchdogReason == HealthReason.Timeout)
            return new(frames, HealthReason.Timeout, $"no frame within {options.ConnectTimeout.TotalSeconds:0.#} s", exitCode);
        if (exitCode == 0)
            return new(frames, HealthReason.EndOfStream, frames == 0 ? "the input has no decodable frames" : "end of stream", exitCode);
        if (_errorReason != HealthReason.None) return new(frames, _errorReason, _errorMessage, exitCode);
        var last = _lastLines.Count > 0 ? string.Join(" | ", _lastLines) : $"ffmpeg exited with {exitCode}";
        return new(frames, frames > 0 ? HealthReason.EndOfStream : HealthReason.ProcessError, last, exitCode);
    }

    /// <summary>
    /// Reads frames on a dedicated thread: synchronous pipe reads straight into pooled buffers, no thread-pool hops
    /// or async state machines per read. Cancellation kills ffmpeg, which ends the blocked read.
    /// </summary>
    private async Task ReadFramesAsync(FfmpegProcess process, ChannelReader<FrameMeta> metas, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = new Thread(() =>
        {
            try
            {
                ReadFrames(process.StandardOutput, metas, ct);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "ffmpeg stdout " + process.Id,
        };
        reader.Start();
        await using (ct.Register(process.Kill).ConfigureAwait(false))
            await done.Task.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private void ReadFrames(Stream stdout, ChannelReader<FrameMeta> metas, CancellationToken ct)
    {
        while (true)
        {
            if (!metas.TryRead(out var meta))
            {
                var more = metas.WaitToReadAsync(ct);
                if (!(more.IsCompletedSuccessfully ? more.Result : more.AsTask().GetAwaiter().GetResult())) return;
                continue;
            }
            var stream = callbacks.CurrentStream();
            var frame = pool.Rent(meta.Width, meta.Height, meta.Pts ?? TimeSpan.Zero, default,
                stream is null || meta.Width == 0 ? 1 : (double)stream.Width / meta.Width,
                stream is null || meta.Height == 0 ? 1 : (double)stream.Height / meta.Height,
                callbacks.NextSequence());
            try
            {
                stdout.ReadExactly(frame.Buffer.AsSpan(0, frame.Length));
            }
            catch (EndOfStreamException)
            {
                frame.Dispose(); // ffmpeg announced a frame but died (or was killed) before writing all of it
                return;
            }
            catch
            {
                frame.Dispose();
                throw;
            }

            var stamped = Stamp(frame, meta);
            if (Interlocked.Increment(ref _frames) == 1) callbacks.FirstFrame();
            Volatile.Write(ref _waitingSince, 0);
            var written = queue.WriteAsync(stamped, ct); // waits only when the queue is full and back-pressure waits
            if (!written.IsCompletedSuccessfully) written.AsTask().GetAwaiter().GetResult();
            Volatile.Write(ref _waitingSince, time.GetTimestamp());
        }
    }

    // Live frames carry the wall clock of their arrival; file frames a clock anchored at the first frame plus pts.
    private VideoFrame Stamp(VideoFrame frame, FrameMeta meta)
    {
        var now = time.GetUtcNow();
        DateTimeOffset capture;
        if (_live) capture = now;
        else
        {
            _fileAnchor ??= now - frame.Pts;
            capture = _fileAnchor.Value + frame.Pts;
        }
        frame.CaptureTime = capture;
        return frame;
    }

    private async Task ReadStderrAsync(FfmpegProcess process, ChannelWriter<FrameMeta> metas)
    {
        var seenOutput = false;
        var seenStream = false;
        try
        {
            while (await process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (FfmpegOutputParser.TryParseShowInfo(line, out var meta))
                {
                    metas.TryWrite(meta);
                    continue;
                }
                if (FfmpegOutputParser.IsShowInfo(line)) continue;
                logger.FfmpegOutput(location.Redacted, Security.Secrets.RedactText(line.Replace(location.Value, location.Redacted, StringComparison.Ordinal)));
                if (FfmpegOutputParser.IsOutputHeader(line)) seenOutput = true;
                else if (!seenOutput && !seenStream && FfmpegOutputParser.TryParseInputStream(line, out var info))
                {
                    seenStream = true;
                    callbacks.StreamOpened(info);
                }
                Remember(line);
            }
        }
        catch (IOException)
        {
            // stderr closed abruptly when ffmpeg was killed
        }
        finally
        {
            metas.TryComplete();
        }
    }

    private void Remember(string line)
    {
        var clean = Clean(line);
        if (clean.Length == 0) return;
        var reason = FfmpegOutputParser.Classify(line);
        if (reason != HealthReason.None && _errorReason == HealthReason.None)
        {
            _errorReason = reason;
            _errorMessage = clean;
        }
        if (_lastLines.Count == 3) _lastLines.Dequeue();
        _lastLines.Enqueue(clean);
    }

    // "[rtsp @ 0x55d…] method DESCRIBE failed: 404 Not Found" -> "rtsp: method DESCRIBE failed: 404 Not Found"; URLs redacted.
    private string Clean(string line)
    {
        var text = ContextPrefix().Replace(line.Trim(), "$1: ");
        return Security.Secrets.RedactText(text.Replace(location.Value, location.Redacted, StringComparison.Ordinal));
    }

    private async Task WatchAsync(FfmpegProcess process, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                if (Interlocked.Read(ref _frames) == 0)
                {
                    if (time.GetElapsedTime(started) <= options.ConnectTimeout) continue;
                    _watchdogReason = HealthReason.Timeout;
                }
                else
                {
                    var since = Volatile.Read(ref _waitingSince);
                    if (since == 0 || time.GetElapsedTime(since) <= options.StallTimeout) continue;
                    _watchdogReason = HealthReason.Stalled;
                    callbacks.Stalled();
                }
                process.Kill();
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // session over
        }
    }

    [GeneratedRegex(@"^\[(\w+) @ 0x[0-9a-f]+\]\s*")]
    private static partial Regex ContextPrefix();
}
