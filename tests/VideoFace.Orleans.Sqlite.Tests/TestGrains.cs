using System.Collections.Concurrent;

namespace VideoFace.Orleans.Sqlite.Tests;

/// <summary>A grain whose state lives in the "sqlite" storage provider.</summary>
public interface INotebookGrain : IGrainWithStringKey
{
    Task<TestState> AddNoteAsync(string note);

    Task<TestState> GetAsync();
}

/// <summary>A grain that keeps a reminder and reports each tick to <see cref="ReminderTicks"/>.</summary>
public interface ITickingGrain : IGrainWithStringKey
{
    Task StartTickingAsync(TimeSpan period);
}

public sealed class NotebookGrain([PersistentState("s", "sqlite")] IPersistentState<TestState> state) : Grain, INotebookGrain
{
    public async Task<TestState> AddNoteAsync(string note)
    {
        state.State = state.State with { Count = state.State.Count + 1, Notes = [.. state.State.Notes, note] };
        await state.WriteStateAsync();
        return state.State;
    }

    public Task<TestState> GetAsync() => Task.FromResult(state.State);
}

public sealed class TickingGrain(ReminderTicks ticks) : Grain, ITickingGrain, IRemindable
{
    public const string ReminderName = "tick";

    public Task StartTickingAsync(TimeSpan period) =>
        this.RegisterOrUpdateReminder(ReminderName, period, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ticks.Record(this.GetPrimaryKeyString(), reminderName);
        return Task.CompletedTask;
    }
}

/// <summary>Per-silo record of reminder ticks, so a test can wait for one.</summary>
public sealed class ReminderTicks
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _first = new();

    public void Record(string grainKey, string reminderName) => Tcs(grainKey, reminderName).TrySetResult();

    public Task FirstTick(string grainKey, string reminderName) => Tcs(grainKey, reminderName).Task;

    private TaskCompletionSource Tcs(string grainKey, string reminderName) =>
        _first.GetOrAdd($"{grainKey}/{reminderName}", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
