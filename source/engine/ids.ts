/**
The engine's three kinds of id, each a number the type checker keeps apart from the others: a node of a
tree, a version of a node, and a row of a layer's entry columns. Only the engine makes them (its queries
return them); `nodeId` turns a number that came from one of those queries back into a node id, for
state that stores ids as plain numbers (a cursor, a list built by hand, a test).
*/
export type NodeId = number & {readonly __brand: 'NodeId'};
/** One appearance of a path in one layer: its id in one tree, in the order the layers were stacked. */
export type VersionId = number & {readonly __brand: 'VersionId'};
/** An entry's index in its layer's entry columns. */
export type Row = number & {readonly __brand: 'Row'};

export const nodeId = (id: number): NodeId => id as NodeId;
/** No node, no version, no child: the columns' sentinel, never seen outside the engine. */
export const none = -1;
/** The root directory's node (path ''). */
export const rootNode = nodeId(0);
