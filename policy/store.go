package policy

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// routedStore is the store every prepared query of a Linter is bound to. Queries are prepared
// once, in New, against one store; each evaluation has its own data (data.wavecheck holds the
// objects being linted), so the data an evaluation reads lives in a store of its own and its
// transactions carry that store: routedStore sends their reads there. Transactions it did not
// hand out (OPA's own, while preparing) go to the base store, which holds the --data documents.
// Nothing is ever written after New, so concurrent evaluations share no mutable state.
type routedStore struct {
	storage.Store // base: the --data documents and the tables, for preparing queries
}

// evalTxn is a read transaction on one evaluation's store.
type evalTxn struct {
	storage.Transaction
	store storage.Store
}

func newRoutedStore(base ast.Object) *routedStore {
	return &routedStore{Store: inmem.NewFromASTObject(base)}
}

// Read implements storage.Store.
func (s *routedStore) Read(ctx context.Context, txn storage.Transaction, p storage.Path) (any, error) {
	if t, ok := txn.(*evalTxn); ok {
		return t.store.Read(ctx, t.Transaction, p)
	}
	return s.Store.Read(ctx, txn, p)
}

// Write implements storage.Store; an evaluation's data is read-only.
func (s *routedStore) Write(ctx context.Context, txn storage.Transaction, op storage.PatchOp, p storage.Path, v any) error {
	if _, ok := txn.(*evalTxn); ok {
		return &storage.Error{Code: storage.InvalidTransactionErr, Message: "evaluation data is read-only"}
	}
	return s.Store.Write(ctx, txn, op, p, v)
}

// Commit implements storage.Store.
func (s *routedStore) Commit(ctx context.Context, txn storage.Transaction) error {
	if t, ok := txn.(*evalTxn); ok {
		return t.store.Commit(ctx, t.Transaction)
	}
	return s.Store.Commit(ctx, txn)
}

// Abort implements storage.Store.
func (s *routedStore) Abort(ctx context.Context, txn storage.Transaction) {
	if t, ok := txn.(*evalTxn); ok {
		t.store.Abort(ctx, t.Transaction)
		return
	}
	s.Store.Abort(ctx, txn)
}

// evalData is the data of one evaluation: the base documents plus data.wavecheck.
type evalData struct {
	store storage.Store
}

// newEvalData builds an evaluation's store from the base documents (shared, never modified)
// and its data.wavecheck document.
func newEvalData(base ast.Object, wavecheck ast.Value) *evalData {
	root := ast.NewObjectWithCapacity(base.Len() + 1)
	base.Foreach(func(k, v *ast.Term) { root.Insert(k, v) })
	root.Insert(ast.StringTerm("wavecheck"), ast.NewTerm(wavecheck))
	return &evalData{store: inmem.NewFromASTObject(root)}
}

// txn opens a read transaction for one query of the evaluation; close it with done.
func (d *evalData) txn(ctx context.Context) (storage.Transaction, func(), error) {
	t, err := d.store.NewTransaction(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &evalTxn{Transaction: t, store: d.store}, func() { d.store.Abort(ctx, t) }, nil
}
