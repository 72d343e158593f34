using System.Text.RegularExpressions;
using Marten;

namespace Hub.EventStore.Writing;

/// <summary>
/// Stored events carry explicit, versioned names (<c>contact.observed.v1</c>), never CLR names, so event classes can
/// be renamed or moved without orphaning what is stored. A newer version of an event gets a new name and an upcaster
/// from the old one (<see cref="Marten.Events.IEventStoreOptions.Upcast{TOldEvent,TEvent}(string,Func{TOldEvent,TEvent})"/>).
/// </summary>
public static partial class EventTypeNames
{
    public static StoreOptions Map<T>(this StoreOptions options, string name) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsExplicit(name))
            throw new ArgumentException($"'{name}' is not a versioned event type name such as 'contact.observed.v1'.", nameof(name));
        options.Events.MapEventType<T>(name);
        return options;
    }

    public static bool IsExplicit(string name) => VersionedName().IsMatch(name);

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.v[1-9][0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionedName();
}
