// Fluid.Api's ShapeChecker publishes a type's shape before filling its fields, so two threads
// reading manifests at once can see every field as unknown and drop it. Until that is fixed in
// Fluid.Api, these tests read manifests from one thread at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
