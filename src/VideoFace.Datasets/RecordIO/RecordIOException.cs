namespace VideoFace.Datasets.RecordIO;

/// <summary>A RecordIO, index or InsightFace header that does not follow the format; the message names the file and offset.</summary>
public sealed class RecordIOException(string message) : Exception(message);
