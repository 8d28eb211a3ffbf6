package console

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// ListOptions narrows a list.
type ListOptions struct {
	IncludeArchived bool
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if o.IncludeArchived {
		q.Set("include_archived", "true")
	}
	return q
}

// listAll follows next_page cursors, at most c.maxPages pages.
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	var all []T
	q.Set("limit", strconv.Itoa(pageSize))
	for range c.maxPages {
		var page struct {
			Data     []T     `json:"data"`
			NextPage *string `json:"next_page"`
		}
		if err := c.do(ctx, request{method: "GET", path: path, query: q}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if page.NextPage == nil || *page.NextPage == "" {
			return all, nil
		}
		q.Set("page", *page.NextPage)
	}
	return nil, fmt.Errorf("GET %s: more than %d pages; stopped", orgPath+path, c.maxPages)
}

// listAfterID follows the after_id/has_more pagination of the workspaces list.
func listAfterID[T any](ctx context.Context, c *Client, path string, q url.Values, id func(T) string) ([]T, error) {
	var all []T
	q.Set("limit", strconv.Itoa(pageSize))
	for range c.maxPages {
		var page struct {
			Data    []T    `json:"data"`
			HasMore bool   `json:"has_more"`
			LastID  string `json:"last_id"`
		}
		if err := c.do(ctx, request{method: "GET", path: path, query: q}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		last := page.LastID
		if last == "" && len(page.Data) > 0 {
			last = id(page.Data[len(page.Data)-1])
		}
		if !page.HasMore || last == "" {
			return all, nil
		}
		q.Set("after_id", last)
	}
	return nil, fmt.Errorf("GET %s: more than %d pages; stopped", orgPath+path, c.maxPages)
}

// find returns the first item that matches.
func find[T any](items []T, match func(T) bool) (T, bool) {
	for _, it := range items {
		if match(it) {
			return it, true
		}
	}
	var zero T
	return zero, false
}
