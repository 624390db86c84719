namespace MLNetAutoencoders.Nn;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action synchronously on the reporting thread (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronisation context), so reports arrive in order and before the
/// work goes on.
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
/// <param name="report">Called with each report.</param>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
