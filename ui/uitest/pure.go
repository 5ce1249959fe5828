package uitest

import (
	"reflect"
	"testing"
)

// RequirePureView fails when drawing changes the model: View must be a
// function of the model, with scroll offsets and click geometry fixed in
// Update and SetSize (or a click lands on another row than the one drawn).
// model is a pointer to the pane's struct; the check is shallow (fields,
// not what slices and maps point to).
func RequirePureView(t testing.TB, model any, view func() string) {
	t.Helper()
	v := reflect.ValueOf(model)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		t.Fatalf("RequirePureView wants a pointer to a struct, got %T", model)
	}
	before := reflect.New(v.Elem().Type()).Elem()
	before.Set(v.Elem())
	first := view()
	if !reflect.DeepEqual(before.Interface(), v.Elem().Interface()) {
		t.Fatalf("%T.View changed the model", model)
	}
	if second := view(); second != first {
		t.Fatalf("%T.View drew twice differently:\n%s\n---\n%s", model, first, second)
	}
}
