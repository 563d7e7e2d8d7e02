namespace VideoFace.Grains.Cameras;

/// <summary>Camera grain settings.</summary>
public sealed class CameraGrainOptions
{
    /// <summary>
    /// How often an enabled camera's reminder ticks (<c>VideoFace:CameraReminderPeriod</c>): with silo-death detection it
    /// bounds how long a camera stays down, and each tick keeps the activation from idle collection.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromSeconds(10);
}
